/**
 * Sets values in a YAML file by splicing its text, so every byte outside the keys being set
 * stays as it was: comments, blank lines, key order, quoting and alignment.
 *
 * The `yaml` package's Document API locates each key (node source ranges); only the value
 * of an existing key is replaced, and a missing key is inserted as new lines at the end of
 * its parent block map, indented like its siblings. Flow collections (`{ a: 1 }`) are the one
 * exception: the collection that receives a new key is re-printed as a whole. The result is
 * re-parsed and checked against the intended content before it is returned.
 */
import {
  Document,
  isMap,
  isScalar,
  isSeq,
  parseDocument,
  Scalar,
  stringify,
  type Node,
  type Pair,
  type YAMLMap,
} from "yaml";
import { deepEqual } from "./fieldDiff";

export interface YamlSet {
  /** Map keys from the document root, e.g. `["config", "apphub-streaming:topics", "apphub.x", "retentionMs"]`. */
  path: string[];
  /** A scalar, or a plain object written as a nested block map. */
  value: unknown;
}

export class YamlEditError extends Error {
  override readonly name = "YamlEditError";
}

/** A tree of keys to set; a `Leaf` replaces whatever is at its key. */
class Leaf {
  constructor(readonly value: unknown) {}
}
type Tree = Map<string, Tree | Leaf>;

interface Edit {
  start: number;
  end: number;
  text: string;
  order: number;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A list of maps (a user's ACL entries): written as a block sequence, one item per entry. */
const isListOfMaps = (value: unknown): value is unknown[] =>
  Array.isArray(value) && value.some(isPlainObject);

/** A map or a list of maps: written as a block below its key. */
const isBlock = (value: unknown): boolean =>
  (isPlainObject(value) && Object.keys(value).length > 0) || isListOfMaps(value);

export function applyYamlSets(text: string, sets: readonly YamlSet[]): string {
  if (sets.length === 0) return text;
  const doc = parseDocument(text);
  if (doc.errors.length > 0)
    throw new YamlEditError(`cannot edit invalid YAML: ${doc.errors[0]!.message}`);
  const tree = toTree(sets);
  const context = { text, step: indentStep(doc, text), edits: [] as Edit[] };

  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    const prefix = text === "" || text.endsWith("\n") ? "" : "\n";
    context.edits.push({
      start: text.length,
      end: text.length,
      text: prefix + blockText(treeToValue(tree) as Record<string, unknown>, 0, context.step),
      order: 0,
    });
  } else if (isMap(doc.contents)) {
    editMap(doc.contents, tree, context);
  } else {
    throw new YamlEditError("expected a YAML map at the top of the file");
  }

  const result = splice(text, context.edits);
  verify(doc, result, sets);
  return result;
}

function toTree(sets: readonly YamlSet[]): Tree {
  const root: Tree = new Map();
  for (const { path, value } of sets) {
    if (path.length === 0) throw new YamlEditError("expected a non-empty key path");
    let node = root;
    for (const key of path.slice(0, -1)) {
      const next = node.get(key);
      if (next instanceof Leaf)
        throw new YamlEditError(`key ${path.join(".")} is set both as a value and as a map`);
      if (next === undefined) {
        const child: Tree = new Map();
        node.set(key, child);
        node = child;
      } else node = next;
    }
    node.set(path[path.length - 1]!, new Leaf(value));
  }
  return root;
}

function treeToValue(node: Tree | Leaf): unknown {
  if (node instanceof Leaf) return node.value;
  return Object.fromEntries([...node].map(([key, child]) => [key, treeToValue(child)]));
}

interface Context {
  text: string;
  step: number;
  edits: Edit[];
}

function keyOf(pair: Pair): unknown {
  return isScalar(pair.key) ? pair.key.value : pair.key;
}

function column(text: string, offset: number): number {
  return offset - (text.lastIndexOf("\n", offset - 1) + 1);
}

/** Two unless the file says otherwise (the first nested block map's offset from its parent key). */
function indentStep(doc: Document, text: string): number {
  const root = doc.contents;
  if (!isMap(root)) return 2;
  for (const pair of root.items) {
    if (isMap(pair.value) && !pair.value.flow && pair.value.items[0] && isScalar(pair.key)) {
      const child = pair.value.items[0].key as Node;
      const step = column(text, child.range![0]) - column(text, (pair.key as Node).range![0]);
      if (step > 0) return step;
    }
  }
  return 2;
}

function editMap(map: YAMLMap, tree: Tree, context: Context): void {
  if (map.flow) {
    reprintFlow(map, tree, context);
    return;
  }
  const missing: [string, Tree | Leaf][] = [];
  for (const [key, child] of tree) {
    const pair = map.items.find((item) => keyOf(item) === key);
    if (!pair) {
      missing.push([key, child]);
      continue;
    }
    const value = pair.value as Node | null;
    if (child instanceof Leaf) {
      replaceValue(pair, child.value, context);
    } else if (isMap(value)) {
      editMap(value, child, context);
    } else {
      // A null (`key:` or `key: null`) or scalar becomes a map holding the new keys.
      replaceValue(pair, treeToValue(child), context);
    }
  }
  if (missing.length === 0) return;
  const firstKey = map.items[0]?.key as Node | undefined;
  if (!firstKey?.range) throw new YamlEditError("cannot insert into an empty block map");
  const indent = column(context.text, firstKey.range[0]);
  const at = lineEndAfter(context.text, contentEnd(map));
  const body = blockText(
    Object.fromEntries(missing.map(([key, child]) => [key, treeToValue(child)])),
    indent,
    context.step,
  );
  context.edits.push({
    start: at.offset,
    end: at.offset,
    text: at.needsNewline ? `\n${body}` : body,
    order: context.edits.length,
  });
}

/** Where the last key/value of a node ends in the source (trailing comments and blank lines excluded). */
function contentEnd(node: Node): number {
  if ((isMap(node) || isSeq(node)) && !node.flow && node.items.length > 0) {
    const last = node.items[node.items.length - 1]!;
    if (isMap(node)) {
      const pair = last as Pair;
      const value = pair.value as Node | null;
      if (value?.range && !(isScalar(value) && value.range[0] === value.range[1]))
        return contentEnd(value);
      return (pair.key as Node).range![1];
    }
    return contentEnd(last as Node);
  }
  return node.range![1];
}

function lineEndAfter(text: string, offset: number): { offset: number; needsNewline: boolean } {
  if (offset > 0 && text[offset - 1] === "\n") return { offset, needsNewline: false };
  const newline = text.indexOf("\n", offset);
  return newline === -1
    ? { offset: text.length, needsNewline: true }
    : { offset: newline + 1, needsNewline: false };
}

function replaceValue(pair: Pair, value: unknown, context: Context): void {
  const node = pair.value as Node | null;
  const keyNode = pair.key as Node;
  const { text } = context;
  if (!isBlock(value)) {
    const replacement = scalarText(value, isScalar(node) ? node : undefined);
    if (node?.range && (isMap(node) || isSeq(node)) && !node.flow)
      // A block collection starts on the next line and its range runs past its last line.
      context.edits.push({
        start: keyNode.range![1] + 1,
        end: contentEnd(node),
        text: ` ${replacement}`,
        order: context.edits.length,
      });
    else if (node?.range)
      context.edits.push({
        start: node.range[0],
        end: node.range[1],
        text: replacement,
        order: context.edits.length,
      });
    else
      context.edits.push({
        start: keyNode.range![1] + 1,
        end: keyNode.range![1] + 1,
        text: ` ${replacement}`,
        order: context.edits.length,
      });
    return;
  }
  // Map or list of maps: drop the old value's text, keep any comment on the key's line, put the block below.
  const indent = column(text, keyNode.range![0]) + context.step;
  let start = node?.range ? node.range[0] : keyNode.range![1] + 1;
  let end = node?.range ? contentEnd(node) : start;
  const restOfLine = text.slice(
    end,
    text.indexOf("\n", end) === -1 ? text.length : text.indexOf("\n", end),
  );
  const blank = (at: number) => text[at] === " " || text[at] === "\t";
  // `key: null # why` becomes `key: # why`; `key: null` becomes `key:`.
  if (restOfLine.trim() === "") while (start > 0 && blank(start - 1)) start--;
  else while (end < text.length && blank(end)) end++;
  // A block collection starts below its key: its line break goes too, or a blank line stays.
  if (
    (isMap(node) || isSeq(node)) &&
    !node.flow &&
    text[start - 1] === "\n" &&
    start - 1 >= keyNode.range![1]
  )
    start--;
  context.edits.push({ start, end, text: "", order: context.edits.length });
  const at = lineEndAfter(text, end);
  const body = childBlockText(value, indent, context.step);
  context.edits.push({
    start: at.offset,
    end: at.offset,
    text: at.needsNewline ? `\n${body}` : body,
    order: context.edits.length,
  });
}

function reprintFlow(map: YAMLMap, tree: Tree, context: Context): void {
  const doc = new Document(map.toJSON());
  const merged = doc.contents as YAMLMap;
  const apply = (target: YAMLMap, node: Tree) => {
    for (const [key, child] of node) {
      if (child instanceof Leaf) target.set(key, doc.createNode(child.value));
      else {
        const existing = target.get(key, true);
        if (isMap(existing)) apply(existing, child);
        else target.set(key, doc.createNode(treeToValue(child)));
      }
    }
  };
  apply(merged, tree);
  merged.flow = true;
  context.edits.push({
    start: map.range![0],
    end: map.range![1],
    text: doc.toString({ flowCollectionPadding: true }).trimEnd(),
    order: context.edits.length,
  });
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_.:/-]*$/;

function keyText(key: string): string {
  return PLAIN_KEY.test(key) &&
    !key.endsWith(":") &&
    !["true", "false", "null", "yes", "no", "on", "off", "y", "n"].includes(key.toLowerCase())
    ? key
    : JSON.stringify(key);
}

/** A scalar as YAML, keeping the quoting style of the value it replaces; a list on one line (`["a:1"]`). */
function scalarText(value: unknown, replaces?: Scalar): string {
  if (isPlainObject(value)) return "{}";
  if (Array.isArray(value))
    return stringify(value, {
      lineWidth: 0,
      collectionStyle: "flow",
      flowCollectionPadding: false,
      defaultStringType: "QUOTE_DOUBLE",
    }).trimEnd();
  if (typeof value === "string" && replaces?.type === Scalar.QUOTE_DOUBLE)
    return JSON.stringify(value);
  if (typeof value === "string" && replaces?.type === Scalar.QUOTE_SINGLE)
    return `'${value.replaceAll("'", "''")}'`;
  return stringify(value, { lineWidth: 0 }).trimEnd();
}

function blockText(value: Record<string, unknown>, indent: number, step: number): string {
  const pad = " ".repeat(indent);
  return Object.entries(value)
    .map(([key, child]) =>
      isBlock(child)
        ? `${pad}${keyText(key)}:\n${childBlockText(child, indent + step, step)}`
        : `${pad}${keyText(key)}: ${scalarText(child)}\n`,
    )
    .join("");
}

/** A map or a list of maps as block lines at `indent`. */
function childBlockText(value: unknown, indent: number, step: number): string {
  return isListOfMaps(value)
    ? listText(value, indent, step)
    : blockText(value as Record<string, unknown>, indent, step);
}

/** `- key: value` items; a map item's keys line up after its `- `, nested lists on one line. */
function listText(items: readonly unknown[], indent: number, step: number): string {
  const pad = " ".repeat(indent);
  return items
    .map((item) => {
      if (!isPlainObject(item) || Object.keys(item).length === 0)
        return `${pad}- ${scalarText(item)}\n`;
      const body = Object.entries(item)
        .map(([key, child]) =>
          isBlock(child)
            ? `${keyText(key)}:\n${childBlockText(child, indent + 2 + step, step)}`
            : `${keyText(key)}: ${scalarText(child)}\n`,
        )
        .map((line, index) => (index === 0 ? `${pad}- ${line}` : `${pad}  ${line}`));
      return body.join("");
    })
    .join("");
}

function splice(text: string, edits: readonly Edit[]): string {
  const ordered = [...edits].sort((a, b) => b.start - a.start || b.order - a.order);
  let result = text;
  for (const edit of ordered)
    result = result.slice(0, edit.start) + edit.text + result.slice(edit.end);
  return result;
}

/** Sets `value` at `path` in a plain object tree, creating the maps on the way (mutates `target`). */
export function setIn(
  target: Record<string, unknown>,
  path: readonly string[],
  value: unknown,
): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (!isPlainObject(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

function verify(original: Document, result: string, sets: readonly YamlSet[]): void {
  const reparsed = parseDocument(result);
  if (reparsed.errors.length > 0)
    throw new YamlEditError(
      `internal error: the edited YAML does not parse: ${reparsed.errors[0]!.message}`,
    );
  const expected = (original.toJS() ?? {}) as Record<string, unknown>;
  for (const { path, value } of sets) setIn(expected, path, value);
  if (!deepEqual(reparsed.toJS(), expected))
    throw new YamlEditError(
      "internal error: the edited YAML does not hold the intended values; nothing was written",
    );
}
