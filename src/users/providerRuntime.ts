/**
 * The implementations behind the two provider shims Pulumi stores in state (`provider.ts`),
 * loaded once per provider process through `providerEntry.js`:
 *
 * - `userProvider`, `pulumi-nodejs:dynamic/streaming:KafkaUser`: one SCRAM user (or the
 *   wildcard principal) and its ACLs. Outputs echo the inputs; `check` holds the refusals and
 *   `diff` never throws (`providerLogic.ts`); `read` records live ACLs and a credential removed
 *   by hand; passwords arrive decrypted and leave only as outputs the component lists in
 *   `additionalSecretOutputs`.
 * - `passwordProvider`, `pulumi-nodejs:dynamic/streaming:GeneratedPassword`: a random password
 *   made with node:crypto in `create` (the @pulumi/random plugin cannot be built here, and a
 *   password made in the program would sit in the serialized closure), replaced when `rotate` changes.
 */
import { randomBytes } from "node:crypto";
import { rotateProblem } from "../config/rules";
import { describeValue as describe } from "../config/values";
import { applyUser, deleteUser, readUser } from "./engine";
import { USER_PROVIDER_ABI, type KafkaUserInputs } from "./model";
import {
  aclChangeReport,
  checkUser,
  diffUser,
  echoUser,
  liveUserOutputs,
  revocationReport,
} from "./providerLogic";

/** The shim ABIs this runtime serves. */
export const SUPPORTED_ABIS: readonly number[] = [USER_PROVIDER_ABI];

export const userProvider = {
  async check(_olds: Record<string, unknown>, news: Record<string, unknown>) {
    return { inputs: news, failures: checkUser(news) };
  },

  async diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
    const result = diffUser(olds, news);
    // The Node host drops detailedDiff: say in the preview's diagnostics what changes hands.
    if (result.changes && !result.replaces)
      for (const line of aclChangeReport(olds, news)) process.stderr.write(`${line}\n`);
    return result;
  },

  /** Writes the credential (an existing user of that name is taken over) and the ACLs. */
  async create(inputs: KafkaUserInputs) {
    await applyUser(inputs, undefined);
    return { id: inputs.name, outs: echoUser(inputs) };
  },

  async update(_id: string, olds: KafkaUserInputs, news: KafkaUserInputs) {
    await applyUser(news, olds);
    return { outs: echoUser(news) };
  },

  /** The live ACLs and mechanism; an empty id when the credential is gone (the next up writes it again). */
  async read(id: string, props: KafkaUserInputs) {
    const live = await readUser(props);
    if (live.gone) return { id: "" };
    const outs = liveUserOutputs(props, live);
    return { id, props: outs, inputs: outs };
  },

  /** Removes the login and every ACL of the principal (the superuser's login stays). */
  async delete(_id: string, props: KafkaUserInputs) {
    await deleteUser(props);
    if (!props.self) process.stderr.write(`revoked ${revocationReport(props)}\n`);
  },
};

/** Inputs of a generated password: its length and the rotation counter that replaces it. */
export interface GeneratedPasswordInputs {
  length: number;
  rotate: number;
  providerVersion: string;
}

/** URL-safe base64 of random bytes: letters, digits, '-' and '_' (never ':'). */
export function generatePassword(length: number): string {
  return randomBytes(Math.ceil((length * 3) / 4))
    .toString("base64url")
    .slice(0, length);
}

const MIN_LENGTH = 16;
const MAX_LENGTH = 128;

export const passwordProvider = {
  async check(_olds: Record<string, unknown>, news: Record<string, unknown>) {
    const failures = [];
    const { length, rotate } = news;
    if (!(
      typeof length === "number" &&
      Number.isInteger(length) &&
      length >= MIN_LENGTH &&
      length <= MAX_LENGTH
    ))
      failures.push({
        property: "length",
        reason: `expected a whole number of characters from ${MIN_LENGTH} to ${MAX_LENGTH}, got ${describe(length)}`,
      });
    const rotation = rotateProblem(rotate);
    if (rotation) failures.push({ property: "rotate", reason: rotation });
    return { inputs: news, failures };
  },

  async diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
    const replaces = (["length", "rotate"] as const).filter((key) => olds[key] !== news[key]);
    if (replaces.length > 0) return { changes: true, replaces, deleteBeforeReplace: false };
    return { changes: olds.providerVersion !== news.providerVersion };
  },

  async create(inputs: GeneratedPasswordInputs) {
    return { id: "generated", outs: { ...inputs, result: generatePassword(inputs.length) } };
  },

  async update(
    _id: string,
    olds: GeneratedPasswordInputs & { result: string },
    news: GeneratedPasswordInputs,
  ) {
    return { outs: { ...news, result: olds.result } };
  },

  async read(id: string, props: GeneratedPasswordInputs & { result: string }) {
    return { id, props, inputs: props };
  },

  async delete() {
    // Nothing exists outside the state.
  },
};

/** By the kind the shim names (`provider.ts`). */
export const providers = { user: userProvider, password: passwordProvider } as const;
