// A JSON Schema (as gatescope infers it from bodies) as an indented table: name, type,
// format, required, sensitive-data tags, enum values and the redacted example.
import type { JsonSchema, SensitiveField } from '../api';
import { full } from '../format';
import { TableHead, Tags } from './common';

interface Row {
  depth: number;
  name: string;
  pointer: string;
  schema: JsonSchema;
  required: boolean | null; // null: not an object property
}

function escapePointer(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

function typeText(s: JsonSchema): string {
  if (s.$ref) return s.$ref.split('/').pop() ?? s.$ref;
  const variants = s.oneOf ?? s.anyOf;
  if (variants) return variants.map(typeText).join(' | ');
  const t = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  const parts = t.map((x) => (x === 'array' && s.items ? `${typeText(s.items)}[]` : x));
  if (!parts.length) return s.properties ? 'object' : 'any';
  return parts.join(' | ');
}

/** Flattens the schema depth first; arrays show their items' properties under "[]". */
function flatten(schema: JsonSchema, out: Row[], depth: number, pointer: string, budget: { n: number }): void {
  if (budget.n <= 0) return;
  const props = schema.properties;
  if (props) {
    const req = new Set(schema.required ?? []);
    for (const [name, child] of Object.entries(props)) {
      if (budget.n-- <= 0) return;
      const p = `${pointer}/${escapePointer(name)}`;
      out.push({ depth, name, pointer: p, schema: child, required: req.has(name) });
      flatten(child, out, depth + 1, p, budget);
    }
  }
  if (schema.items && typeof schema.items === 'object') {
    const items = schema.items;
    if (items.properties || items.items) {
      if (budget.n-- <= 0) return;
      const p = `${pointer}/*`;
      out.push({ depth, name: '[ ]', pointer: p, schema: items, required: null });
      flatten(items, out, depth + 1, p, budget);
    }
  }
  for (const v of schema.oneOf ?? schema.anyOf ?? []) {
    if (v.properties || v.items) flatten(v, out, depth, pointer, budget);
  }
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    const ap = schema.additionalProperties;
    if (budget.n-- <= 0) return;
    const p = `${pointer}/*`;
    out.push({ depth, name: '{ key }', pointer: p, schema: ap, required: null });
    flatten(ap, out, depth + 1, p, budget);
  }
}

function enumText(s: JsonSchema): string | null {
  if (!s.enum) return null;
  return s.enum.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ');
}

export function SchemaTree({
  schema,
  sensitive = [],
}: {
  schema: JsonSchema | undefined;
  sensitive?: SensitiveField[];
}) {
  if (!schema || Object.keys(schema).length === 0) return <div class="empty small">No schema: the bodies were not JSON or form data.</div>;
  const rows: Row[] = [];
  const budget = { n: 600 };
  flatten(schema, rows, 0, '', budget);
  const byPointer = new Map(sensitive.map((f) => [f.pointer, f]));
  if (!rows.length) {
    const rootTags = schema['x-gatescope-sensitive'] ?? byPointer.get('')?.sensitive ?? [];
    return (
      <div class="schema-root">
        <span class="muted">body:</span> <code class="type">{typeText(schema)}</code>
        {schema.format && <code class="fmt"> {schema.format}</code>}
        <Tags tags={rootTags} />
        {enumText(schema) && <span class="muted"> one of {enumText(schema)}</span>}
      </div>
    );
  }
  return (
    <table class="table table-compact schema">
      <TableHead columns={['Field', 'Type', 'Format', 'Required', 'Sensitive', 'Values / redacted example']} />
      <tbody>
        {rows.map((r) => {
          const f = byPointer.get(r.pointer);
          const tags = r.schema['x-gatescope-sensitive'] ?? f?.sensitive ?? [];
          const en = enumText(r.schema);
          return (
            <tr key={r.pointer} data-pointer={r.pointer}>
              <td class="field-name" style={{ paddingLeft: `${8 + r.depth * 16}px` }}>
                {r.depth > 0 && <span class="tree-line" aria-hidden="true">└ </span>}
                <code>{r.name}</code>
              </td>
              <td>
                <code class="type">{typeText(r.schema)}</code>
              </td>
              <td>{r.schema.format ? <code class="fmt">{r.schema.format}</code> : <span class="muted">–</span>}</td>
              <td>{r.required === null ? '' : r.required ? <span class="req">required</span> : <span class="muted">optional</span>}</td>
              <td>
                {tags.length ? <Tags tags={tags} /> : <span class="muted">–</span>}
              </td>
              <td class="example">
                {en && <span title="Values seen (a small closed set)">{en}</span>}
                {f?.example_redacted && (
                  <code class="redacted" title={`Redacted example; ${full(f.count)} values seen`}>
                    {f.example_redacted}
                  </code>
                )}
                {!en && !f?.example_redacted && r.schema.example !== undefined && <code>{JSON.stringify(r.schema.example)}</code>}
              </td>
            </tr>
          );
        })}
      </tbody>
      {budget.n <= 0 && (
        <tfoot>
          <tr>
            <td colSpan={6} class="muted small">
              Only the first 600 fields are shown.
            </td>
          </tr>
        </tfoot>
      )}
    </table>
  );
}
