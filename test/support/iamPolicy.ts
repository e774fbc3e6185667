/**
 * A small evaluator of IAM policy documents, enough to ask the questions the backup policies
 * answer (is this request allowed?) instead of restating their JSON: explicit Deny wins, then
 * an Allow must match action, resource and every condition. Wildcards `*` and `?` in actions
 * and resources; condition operators Bool, StringEquals and StringLike.
 */
type Statement = {
  Effect: "Allow" | "Deny";
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
};

export interface Request {
  action: string;
  resource?: string;
  /** Condition keys of the request, e.g. `{ "aws:SecureTransport": "true", "s3:prefix": "redpanda/0/" }`. */
  context?: Record<string, string>;
}

const glob = (pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replaceAll("*", ".*")
      .replaceAll("?", ".")}$`,
  );
const matchesAny = (patterns: string | string[] | undefined, value: string | undefined) =>
  patterns === undefined ||
  (value !== undefined && [patterns].flat().some((pattern) => glob(pattern).test(value)));

function conditionsHold(
  condition: Statement["Condition"],
  context: Record<string, string>,
): boolean {
  return Object.entries(condition ?? {}).every(([operator, entries]) =>
    Object.entries(entries).every(([key, expected]) => {
      const actual = context[key];
      if (actual === undefined) return false;
      const values = [expected].flat();
      if (operator === "StringLike") return values.some((pattern) => glob(pattern).test(actual));
      if (operator === "StringEquals" || operator === "Bool") return values.includes(actual);
      throw new Error(`condition operator ${operator} is not modelled here`);
    }),
  );
}

const applies = (statement: Statement, request: Request) =>
  matchesAny(statement.Action, request.action) &&
  matchesAny(statement.Resource, request.resource) &&
  conditionsHold(statement.Condition, request.context ?? {});

/** Whether `policies` together allow `request` (IAM's evaluation: explicit deny, then allow, else implicit deny). */
export function allows(policies: { Statement: unknown[] }[], request: Request): boolean {
  const statements = policies.flatMap((policy) => policy.Statement as Statement[]);
  if (statements.some((statement) => statement.Effect === "Deny" && applies(statement, request)))
    return false;
  return statements.some(
    (statement) => statement.Effect === "Allow" && applies(statement, request),
  );
}
