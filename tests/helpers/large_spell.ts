/**
 * A valid spell of up to `maxBytes` UTF-8 bytes made of many realistic helpers (loops, effects,
 * tweens, timers with lambdas, dictionaries, string formatting), for the verifier's size tests and
 * the build bench. Every helper is called from `on_cast`, so the whole program is checked.
 * @module
 */

const HEADER = `extends SpellModule
## A large generated spell: many helpers of the kinds players write.

const RING := 4
const SPREAD := 4.0

enum Mode { BURST, RING, PILLAR }

var casts := 0
var last_tally := ""
`;

function helper(i: number): string {
  return `

func burst_${i}(ctx: SpellContext, centre: Vector3) -> void:
\tconst colours: Array[Color] = [Color.CYAN, Color.ORANGE, Color.VIOLET]
\tfor k in range(RING):
\t\tvar angle := TAU * float(k) / RING
\t\tvar offset := Vector3(cos(angle), 0.0, sin(angle)) * SPREAD
\t\tctx.world.play_vfx("spark_${i}", centre + offset, {
\t\t\t"color": colours[k % colours.size()],
\t\t\t"amount": 16 + k,
\t\t\t"lifetime": 0.5,
\t\t})


func pillar_${i}(ctx: SpellContext, where: Vector3) -> MeshInstance3D:
\tvar mesh := BoxMesh.new()
\tmesh.size = Vector3(0.5, 2.0 + ${i % 5}, 0.5)
\tvar mat := StandardMaterial3D.new()
\tmat.albedo_color = Color.from_hsv(${(i % 10) / 10}, 0.7, 1.0)
\tvar node := ctx.world.spawn_simple_mesh(mesh, Transform3D.IDENTITY.translated(where), mat)
\tif node == null:
\t\treturn null
\tvar tween := node.create_tween()
\ttween.tween_property(node, "rotation:y", TAU, 2.0).set_trans(Tween.TRANS_SINE)
\tvar timer := Timer.new()
\ttimer.wait_time = 3.0
\ttimer.one_shot = true
\ttimer.timeout.connect(func():
\t\tif is_instance_valid(node):
\t\t\tnode.queue_free()
\t)
\tnode.add_child(timer)
\ttimer.start()
\treturn node


func tally_${i}(ctx: SpellContext) -> Dictionary:
\tvar counts := {}
\tfor item in ctx.world.query_radius(ctx.target_position, 5.0):\n\t\tvar found := item as Dictionary
\t\tvar kind := str(found.get("kind", "none"))
\t\tcounts[kind] = int(counts.get(kind, 0)) + 1
\tlast_tally = "%d:%d" % [${i}, counts.size()]
\treturn counts


func mode_${i}(name: String) -> Mode:
\tmatch name:
\t\t"ring":
\t\t\treturn Mode.RING
\t\t"pillar":
\t\t\treturn Mode.PILLAR
\treturn Mode.BURST


func cast_${i}(ctx: SpellContext) -> void:
\tmatch mode_${i}(str(ctx.params.get("mode", "burst"))):
\t\tMode.RING:
\t\t\tburst_${i}(ctx, ctx.target_position)
\t\tMode.PILLAR:
\t\t\tpillar_${i}(ctx, ctx.target_position + Vector3.UP * ${i % 3})
\t\t_:
\t\t\tvar counts := tally_${i}(ctx)
\t\t\tprint("[${i}] %d kinds" % counts.size())
`;
}

/** The spell: a header, as many helpers as fit, and an on_cast that calls each. */
export function largeSpell(maxBytes = 48_000): string {
  const size = (text: string) => new TextEncoder().encode(text).length;
  const helpers: string[] = [];
  const calls: string[] = [];
  const assemble = () =>
    HEADER + helpers.join("") +
    `\n\nfunc on_cast(ctx: SpellContext) -> void:\n\tcasts += 1\n${calls.join("")}`;
  for (let i = 0;; i++) {
    helpers.push(helper(i));
    calls.push(`\tcast_${i}(ctx)\n`);
    if (size(assemble()) > maxBytes) {
      helpers.pop();
      calls.pop();
      return assemble();
    }
  }
}
