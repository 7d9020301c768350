import assert from "node:assert/strict";
import { parseGdscript } from "../parser/mod.ts";
import type { FuncDecl, Script, TypeRef, VarDecl } from "../parser/ast.ts";
import { API } from "../verify/types.ts";
import { CAPABILITY_NAMES, SPELLSCRIPT_API } from "./spellscript_api.ts";
import type { MethodSpec } from "./types.ts";

/** The Godot client scripts the API mirrors (the parser's conformance copy of the reference). */
const CLIENT = new URL("../parser/testdata/godot_client/", import.meta.url);

function clientScript(name: string): Script {
  const parsed = parseGdscript(Deno.readTextFileSync(new URL(`${name}.gd`, CLIENT)));
  assert.ok(parsed.ok, `${name}.gd parses`);
  return parsed.script;
}

function typeName(ref: TypeRef | null): string {
  if (!ref) return "Variant";
  if (ref.isVoid) return "void";
  return ref.chain.map((part) => part.name).join(".");
}

/** Every type name the API data mentions. */
function typesOf(spec: MethodSpec): string[] {
  return [spec.returns, ...spec.params.map((p) => p.type), ...(spec.varargs ? [spec.varargs] : [])];
}

Deno.test("the API mirrors the client's SpellContext, WorldAPIAdapter and SpellModule exactly", async (t) => {
  for (const owner of ["SpellContext", "WorldAPIAdapter", "SpellModule"]) {
    await t.step(owner, () => {
      const script = clientScript(owner);
      const funcs = new Map(
        script.body.filter((m): m is FuncDecl => m.kind === "func").map((f) => [f.name.name, f]),
      );
      const vars = new Map(
        script.body.filter((m): m is VarDecl => m.kind === "var").map((v) => [v.name.name, v]),
      );
      const spec = API.classes.get(owner)!;
      for (const method of spec.methods ?? []) {
        const decl = funcs.get(method.name);
        assert.ok(decl, `${owner}.${method.name} is not in the client`);
        assert.deepEqual(
          method.params.map((p) => [p.name, p.type, p.optional ?? false]),
          decl.params.map((p) => [p.name.name, typeName(p.type), p.default !== null]),
          `${owner}.${method.name} parameters`,
        );
        assert.equal(method.returns, typeName(decl.returnType), `${owner}.${method.name} returns`);
      }
      for (const property of spec.properties ?? []) {
        const decl = vars.get(property.name);
        assert.ok(decl, `${owner}.${property.name} is not in the client`);
        assert.equal(property.type, typeName(decl.type), `${owner}.${property.name} type`);
      }
      const listed = new Set([
        ...(spec.methods ?? []).map((m) => m.name),
        ...(spec.properties ?? []).map((p) => p.name),
        ...SPELLSCRIPT_API.excluded.filter((e) => e.owner === owner).map((e) => e.name),
      ]);
      for (const name of [...funcs.keys(), ...vars.keys()]) {
        assert.ok(listed.has(name), `${owner}.${name}: add it to the API or to excluded, with why`);
      }
    });
  }
});

Deno.test("API data is consistent", async (t) => {
  const api = SPELLSCRIPT_API;
  const classNames = new Set(api.classes.map((c) => c.name));
  const knownType = (name: string): boolean => {
    if (["Variant", "void", "Self", "Element", "Arg0", "Object"].includes(name)) return true;
    const typed = /^(\w+)\[(\w+)\]$/.exec(name);
    return typed ? classNames.has(typed[1]!) && knownType(typed[2]!) : classNames.has(name);
  };

  await t.step("the version is what manifests carry", () => {
    assert.match(api.version, /^\d+\.\d+$/);
    assert.notEqual(api.version, "1.0", "1.0 was the denylist era");
  });

  await t.step("every type the API names exists", () => {
    for (const fn of api.functions) {
      for (const type of typesOf(fn)) assert.ok(knownType(type), `${fn.name}: ${type}`);
    }
    for (const spec of api.classes) {
      if (spec.extends) {
        assert.ok(classNames.has(spec.extends), `${spec.name} extends ${spec.extends}`);
      }
      for (const m of [...(spec.methods ?? []), ...(spec.staticMethods ?? [])]) {
        for (const type of typesOf(m)) {
          assert.ok(knownType(type), `${spec.name}.${m.name}: ${type}`);
        }
      }
      for (const p of spec.properties ?? []) assert.ok(knownType(p.type), `${spec.name}.${p.name}`);
      for (const c of spec.constants ?? []) assert.ok(knownType(c.type), `${spec.name}.${c.name}`);
    }
  });

  await t.step("no class has a member twice", () => {
    for (const spec of api.classes) {
      const names = [
        ...(spec.methods ?? []),
        ...(spec.properties ?? []),
        ...(spec.signals ?? []),
      ].map((m) => m.name);
      assert.equal(new Set(names).size, names.length, spec.name);
    }
  });

  await t.step("a forbidden name is nowhere in the API, so refusing it everywhere is right", () => {
    const everywhere = new Set<string>([
      ...api.functions.map((f) => f.name),
      ...api.constants.map((c) => c.name),
      ...api.classes.flatMap((c) => [
        c.name,
        ...(c.methods ?? []).map((m) => m.name),
        ...(c.staticMethods ?? []).map((m) => m.name),
        ...(c.properties ?? []).map((p) => p.name),
        ...(c.signals ?? []).map((s) => s.name),
        ...(c.constants ?? []).map((k) => k.name),
      ]),
    ]);
    for (const { name } of api.forbidden) assert.ok(!everywhere.has(name), name);
  });

  await t.step("capabilities: each is used by a world method, each method's is listed", () => {
    const used = new Set(
      api.classes.flatMap((c) => (c.methods ?? []).map((m) => m.capability)).filter((c) => c),
    );
    assert.deepEqual([...used].sort(), [...CAPABILITY_NAMES]);
    assert.deepEqual([...CAPABILITY_NAMES], [...CAPABILITY_NAMES].sort());
  });

  await t.step("parameters that size an allocation are ints or floats with a bound", () => {
    for (const spec of api.classes) {
      for (const m of spec.methods ?? []) {
        for (const p of m.params) {
          if (p.max !== undefined) {
            assert.ok(["int", "float"].includes(p.type), `${m.name}.${p.name}`);
          }
        }
      }
    }
  });

  await t.step("no engine object exposes a member that reaches beyond itself", () => {
    const reaching = new Set([
      ...api.forbidden.map((f) => f.name),
      ...["get", "set", "connect", "disconnect", "duplicate", "instantiate", "reparent"],
      ...["remove_child", "add_sibling", "replace_by", "get_index", "get_path", "print_tree"],
    ]);
    for (const spec of api.classes.filter((c) => c.kind === "object")) {
      for (const m of [...(spec.methods ?? []), ...(spec.properties ?? [])]) {
        assert.ok(!reaching.has(m.name) && !m.name.startsWith("_"), `${spec.name}.${m.name}`);
      }
    }
  });
});
