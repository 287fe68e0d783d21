/**
 * Finds user-visible text written in the code instead of the catalogues (the check behind
 * literals.test.ts). Svelte's own parser reads both kinds of file: a component, and a TypeScript
 * module read as the script of an empty component, so one walker covers both.
 *
 * What counts as a literal (each rule is exercised by literals.test.ts):
 * - markup text with a letter in it (`<p>Saved</p>`; "✕", "▾" or "·" alone are fine);
 * - user-facing attributes and props: `aria-label`, `title`, `placeholder`, `alt`, `label` and
 *   any `…Title` / `…Label` prop, as text or as a string in a shown position (`title={a ? "X" : y}`);
 * - strings a template shows (`{busy ? "Loading…" : ""}`, a template literal's text);
 * - in code: a string given as `label`, `title`, `message`, `problem`, `detail` or `placeholder`
 *   of an object, an argument of `notify`, `alert`, `confirm` or `prompt`, and any string that
 *   reads as a sentence (a capital and a space; words ending with `.` `!` `?`; a final `…`);
 *   a template literal's text also when two words follow each other (`${n} images added`).
 * Not literals: imports, type literals, comparisons (`type === "tag"`), `case` labels, object
 * keys, and a line marked `i18n-ignore` (for a developer's message that no user sees).
 */

import { parse } from "svelte/compiler";

export interface Finding {
  file: string;
  line: number;
  text: string;
  why: string;
}

/** Words shown as they are in every language. */
const UNTRANSLATED = new Set(["corpuscope"]);

const USER_ATTRIBUTES = new Set([
  "aria-label",
  "aria-description",
  "aria-placeholder",
  "aria-roledescription",
  "aria-valuetext",
  "title",
  "placeholder",
  "alt",
  "label",
]);
const TEXT_KEYS = new Set(["label", "title", "message", "problem", "detail", "placeholder"]);
const TEXT_CALLS = new Set(["notify", "alert", "confirm", "prompt"]);
const COMPARISONS = new Set(["===", "!==", "==", "!="]);

type Node = { type: string; start?: number; [key: string]: unknown };

const isNode = (value: unknown): value is Node =>
  typeof value === "object" && value !== null && typeof (value as Node).type === "string";

const hasLetter = (text: string) => /\p{L}/u.test(text);

/** Text of a template literal: its parts, joined where the values go. */
function isTemplateText(text: string): boolean {
  return isSentence(text) || /\p{L}{2,}\s+\p{L}{2,}/u.test(text);
}

function isSentence(text: string): boolean {
  const t = text.trim();
  if (!hasLetter(t)) return false;
  const first = /\p{L}/u.exec(t)?.[0] ?? "";
  const capitalised = first !== first.toLowerCase() && t.indexOf(first) === 0;
  return (capitalised && /\p{L}\s+\S/u.test(t)) || (/\s/.test(t) && /\p{L}[.!?]$/u.test(t)) || /\p{L}…$/u.test(t);
}

function isUserAttribute(name: string): boolean {
  return USER_ATTRIBUTES.has(name) || /^[a-z]+(Title|Label)$/.test(name);
}

class Scanner {
  readonly findings: Finding[] = [];
  private readonly ignored: Set<number>;
  private readonly lineStarts: number[] = [0];

  constructor(
    private readonly source: string,
    private readonly file: string,
    private readonly offset = 0,
  ) {
    for (let i = 0; i < source.length; i++) if (source[i] === "\n") this.lineStarts.push(i + 1);
    this.ignored = new Set(source.split("\n").flatMap((line, i) => (line.includes("i18n-ignore") ? [i + 1] : [])));
  }

  private lineOf(position: number | undefined): number {
    const at = Math.max(0, (position ?? 0) - this.offset);
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid]! <= at) low = mid;
      else high = mid - 1;
    }
    return low + 1;
  }

  private report(node: Node, text: string, why: string): void {
    const clean = text.replace(/\s+/g, " ").trim();
    if (!hasLetter(clean) || UNTRANSLATED.has(clean)) return;
    const line = this.lineOf(node.start);
    if (this.ignored.has(line)) return;
    this.findings.push({ file: this.file, line, text: clean, why });
  }

  /** Markup: text nodes, attributes, and the expressions inside both. */
  template(node: unknown): void {
    if (Array.isArray(node)) {
      for (const child of node) this.template(child);
      return;
    }
    if (!isNode(node)) return;
    switch (node.type) {
      case "Text":
        this.report(node, String(node.data), "text in the markup");
        return;
      case "Comment":
        return;
      case "ExpressionTag":
      case "HtmlTag":
        this.shown(node.expression, "a string the markup shows");
        return;
      case "Attribute":
        this.attribute(node);
        return;
      case "StyleDirective":
      case "ClassDirective":
        this.code(Array.isArray(node.value) ? node.value.map((part: Node) => part.expression) : node.expression, []);
        return;
      default:
        for (const [key, value] of Object.entries(node)) {
          if (key === "metadata" || key === "loc" || key === "name_loc") continue;
          if (isNode(value) && !isTemplateNode(value)) this.code(value, []);
          else this.template(value);
        }
    }
  }

  private attribute(node: Node): void {
    const name = String(node.name);
    const parts = node.value === true ? [] : Array.isArray(node.value) ? node.value : [node.value];
    const user = isUserAttribute(name);
    for (const part of parts) {
      if (!isNode(part)) continue;
      if (part.type === "Text") {
        if (user) this.report(part, String(part.data), `the ${name} attribute`); // i18n-ignore
      } else if (part.type === "ExpressionTag") {
        if (user) this.shown(part.expression, `the ${name} attribute`); // i18n-ignore
        else this.code(part.expression, []);
      }
    }
  }

  /** An expression whose value is shown: strings reached through ?:, ||, + and `${}` are text. */
  private shown(expression: unknown, why: string): void {
    if (!isNode(expression)) return;
    switch (expression.type) {
      case "Literal":
        if (typeof expression.value === "string") this.report(expression, expression.value, why);
        return;
      case "TemplateLiteral":
        for (const quasi of (expression.quasis as Node[]) ?? []) {
          this.report(quasi, String((quasi.value as { cooked?: string }).cooked ?? ""), why);
        }
        for (const inner of (expression.expressions as Node[]) ?? []) this.shown(inner, why);
        return;
      case "ConditionalExpression":
        this.code(expression.test, []);
        this.shown(expression.consequent, why);
        this.shown(expression.alternate, why);
        return;
      case "LogicalExpression":
        this.shown(expression.left, why);
        this.shown(expression.right, why);
        return;
      case "BinaryExpression":
        if (expression.operator === "+") {
          this.shown(expression.left, why);
          this.shown(expression.right, why);
          return;
        }
        break;
      case "TSAsExpression":
      case "TSNonNullExpression":
      case "ChainExpression":
        this.shown(expression.expression, why);
        return;
    }
    this.code(expression, []);
  }

  /** Code: strings that are text by where they go, or because they read as sentences. */
  code(node: unknown, parents: Node[]): void {
    if (Array.isArray(node)) {
      for (const child of node) this.code(child, parents);
      return;
    }
    if (!isNode(node)) return;
    if (node.type === "Literal" && typeof node.value === "string") {
      this.literal(node, node.value, parents);
      return;
    }
    if (node.type === "TemplateLiteral") {
      const text = ((node.quasis as Node[]) ?? []).map((q) => (q.value as { cooked?: string }).cooked ?? "").join(" ");
      this.literal(node, text, parents, isTemplateText);
      this.code(node.expressions, [...parents, node]);
      return;
    }
    if (isSkipped(node)) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === "loc" || key === "metadata" || key === "typeAnnotation" || key === "returnType" || key === "typeParameters") continue;
      if (node.type === "Property" && key === "key" && !node.computed) continue;
      if (node.type === "MemberExpression" && key === "property" && !node.computed) continue;
      this.code(value, [...parents, node]);
    }
  }

  private literal(node: Node, text: string, parents: Node[], reads: (text: string) => boolean = isSentence): void {
    const parent = parents[parents.length - 1];
    if (!parent) {
      if (reads(text)) this.report(node, text, "a sentence in the code");
      return;
    }
    switch (parent.type) {
      case "ImportDeclaration":
      case "ExportNamedDeclaration":
      case "ExportAllDeclaration":
      case "ImportExpression":
      case "TSLiteralType":
      case "SwitchCase":
        return;
      case "BinaryExpression":
        if (COMPARISONS.has(String(parent.operator))) return;
        break;
      case "Property": {
        const key = parent.key as Node;
        const name = key?.type === "Identifier" ? String(key.name) : String(key?.value ?? "");
        if (parent.value === node && TEXT_KEYS.has(name)) {
          this.report(node, text, `the ${name} of an object`); // i18n-ignore
          return;
        }
        break;
      }
      case "CallExpression": {
        const callee = parent.callee as Node;
        const name = callee.type === "Identifier" ? String(callee.name) : callee.type === "MemberExpression" ? String((callee.property as Node).name) : "";
        if (TEXT_CALLS.has(name) && (parent.arguments as Node[]).includes(node)) {
          this.report(node, text, `an argument of ${name}()`); // i18n-ignore
          return;
        }
        break;
      }
    }
    if (reads(text)) this.report(node, text, "a sentence in the code");
  }
}

const TEMPLATE_TYPES = new Set([
  "Fragment", "Text", "Comment", "ExpressionTag", "HtmlTag", "ConstTag", "DebugTag", "RenderTag",
  "RegularElement", "Component", "SvelteElement", "SvelteComponent", "SvelteSelf", "SvelteFragment",
  "SvelteHead", "SvelteBody", "SvelteWindow", "SvelteDocument", "SvelteBoundary", "SlotElement", "TitleElement",
  "IfBlock", "EachBlock", "AwaitBlock", "KeyBlock", "SnippetBlock", "Attribute", "SpreadAttribute",
  "BindDirective", "ClassDirective", "StyleDirective", "OnDirective", "UseDirective", "TransitionDirective",
  "AnimateDirective", "LetDirective", "AttachTag",
]);

const isTemplateNode = (node: Node) => TEMPLATE_TYPES.has(node.type);

/** Type-only syntax never shows a string. */
const isSkipped = (node: Node) => node.type.startsWith("TS") && node.type !== "TSAsExpression" && node.type !== "TSNonNullExpression" && node.type !== "TSSatisfiesExpression";

/** The literals in one file (a `.svelte` component or a `.ts` module). */
export function findLiterals(source: string, file: string): Finding[] {
  if (file.endsWith(".svelte")) {
    const ast = parse(source, { modern: true });
    const scanner = new Scanner(source, file);
    scanner.template(ast.fragment);
    if (ast.instance) scanner.code(ast.instance.content, []);
    if (ast.module) scanner.code(ast.module.content, []);
    return scanner.findings;
  }
  // a closing script tag inside the module (in a string or a comment) becomes an equivalent
  // escape of the same length, so positions still match the file
  const prefix = '<script lang="ts">';
  const closing = "</" + "script";
  const body = source.replaceAll(closing, "<\\/" + "script");
  const ast = parse(`${prefix}${body}${closing}>`, { modern: true });
  const scanner = new Scanner(source, file, prefix.length);
  if (ast.instance) scanner.code(ast.instance.content, []);
  return scanner.findings;
}
