"""OpenAPI helpers shared by traffic_from_spec.py and score.py (Python 3 standard library only).

- Spec: local `$ref` resolution, operations with path-item parameters merged in.
- Template normalisation: parameter names become `{}` (greedy ones `{+}`), a trailing slash is dropped.
- JSON Pointers: of a JSON value (arrays as `/items/...`) and of a JSON Schema (properties, items,
  allOf/anyOf/oneOf), so that a body and a schema describing it give the same pointers.
"""
import json
import re

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
PARAM_RE = re.compile(r"\{([^{}/]*)\}")


def esc(key):
    """One JSON Pointer reference token (RFC 6901)."""
    return str(key).replace("~", "~0").replace("/", "~1")


def unesc(token):
    return token.replace("~1", "/").replace("~0", "~")


class Spec:
    def __init__(self, doc):
        self.doc = doc

    @classmethod
    def load(cls, path):
        with open(path, encoding="utf-8") as f:
            return cls(json.load(f))

    def ref(self, ref):
        if not ref.startswith("#"):
            raise ValueError(f"only local $ref is supported: {ref}")
        node = self.doc
        for tok in ref[1:].split("/")[1:]:
            node = node[unesc(tok)] if isinstance(node, dict) else node[int(tok)]
        return node

    def resolve(self, node, stack=()):
        """Follows a `$ref` chain. Returns (node, stack + refs followed); (None, stack) on a cycle."""
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            r = node["$ref"]
            if r in stack:
                return None, stack
            stack = stack + (r,)
            node = self.ref(r)
        return node, stack

    def deref(self, node):
        return self.resolve(node)[0]

    def operations(self):
        """[(METHOD, template, operation, [parameter objects, resolved])], in document order."""
        out = []
        for template, item in (self.doc.get("paths") or {}).items():
            item = self.deref(item) or {}
            common = [self.deref(p) for p in item.get("parameters") or []]
            for method in HTTP_METHODS:
                op = item.get(method)
                if not isinstance(op, dict):
                    continue
                params = {(p["in"], p["name"]): p for p in common if p}
                for p in op.get("parameters") or []:
                    p = self.deref(p)
                    if p:
                        params[(p["in"], p["name"])] = p
                out.append((method.upper(), template, op, list(params.values())))
        return out

    def schema_pointers(self, schema, prefix="", stack=(), depth=0, out=None):
        """Every JSON Pointer a value of `schema` may have (object properties, `/items` for array
        elements), following $ref, allOf, anyOf, oneOf and 3.1 type lists; recursion stops at a
        $ref cycle or depth 16."""
        out = set() if out is None else out
        schema, stack = self.resolve(schema, stack)
        if not isinstance(schema, dict) or depth > 16:
            return out
        for key in ("allOf", "anyOf", "oneOf"):
            for sub in schema.get(key) or []:
                self.schema_pointers(sub, prefix, stack, depth + 1, out)
        props = schema.get("properties")
        if isinstance(props, dict):
            for name, sub in props.items():
                p = prefix + "/" + esc(name)
                out.add(p)
                self.schema_pointers(sub, p, stack, depth + 1, out)
        items = schema.get("items")
        if isinstance(items, dict):
            self.schema_pointers(items, prefix + "/items", stack, depth + 1, out)
        return out


class JsonMap(dict):
    """A JSON object whose keys are data (a schema's additionalProperties map, e.g. permission
    id -> level): value_pointers() stops at it, as its keys are not properties."""


def value_pointers(value, prefix="", out=None):
    """JSON Pointers of every object member in `value`; array elements are `/items`; the
    members of a JsonMap are not descended into."""
    out = set() if out is None else out
    if isinstance(value, JsonMap):
        return out
    if isinstance(value, dict):
        for k, v in value.items():
            p = prefix + "/" + esc(k)
            out.add(p)
            value_pointers(v, p, out)
    elif isinstance(value, list):
        for v in value:
            value_pointers(v, prefix + "/items", out)
    return out


def normalize_template(path, greedy_names=()):
    """`/t/{id}.json` -> `/t/{}.json`; a greedy `{proxy+}` (or a name in greedy_names) -> `{+}`;
    a trailing slash is dropped (API Gateway routes `/a/` and `/a` alike)."""
    def repl(m):
        name = m.group(1)
        return "{+}" if name.endswith("+") or name in greedy_names else "{}"
    p = PARAM_RE.sub(repl, path)
    if len(p) > 1 and p.endswith("/"):
        p = p.rstrip("/") or "/"
    return p


def is_json_media(media_type):
    mt = (media_type or "").split(";")[0].strip().lower()
    return mt == "application/json" or mt.endswith("+json") or mt == "text/json" or mt == "*/*"
