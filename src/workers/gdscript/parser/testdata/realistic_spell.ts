/**
 * A realistic spell of a given size, for the parser benchmark and tests: the kind of code the
 * demo spells and the SpellScript docs lead players to write (typed helpers, nested loops, match,
 * lambdas in calls, dictionaries, tweens, await), repeated with distinct names.
 *
 * @module
 */

function helper(i: number): string {
  return `
## Finds the points of ring ${i} around the target.
func ring_${i}(ctx: SpellContext, origin: Vector3, radius: float = 4.0) -> Array[Vector3]:
	var points: Array[Vector3] = []
	for x in range(-3, 4):
		for z: int in range(-3, 4):
			var p := origin + Vector3(x, 0, z) * 0.5
			if p.distance_to(origin) <= radius and not (x == 0 and z == 0):
				points.append(p)
			elif x % 2 == 0:
				continue
	match points.size():
		0:
			return []
		1, 2:
			pass
		var n when n > MAX_POINTS:
			ctx.world.play_vfx("spark", origin, {"color": Color(0.2, 0.4, 1.0), "amount": n * 2})
		_:
			print("ring_${i}: %d points" % points.size())
	var kept := points.filter(func(q): return q.y >= 0.0)
	kept.sort_custom(func(a, b):
		return a.length() < b.length()
	)
	var tween := ctx.create_tween()
	tween.tween_callback(func(): ctx.world.play_sound(&"whoosh", origin, {volume = -3.0}))
	await ctx.create_timer(0.25).timeout
	return kept
`;
}

/** A spell of at most `bytes` UTF-8 bytes (all ASCII), ending after a whole function. */
export function realisticSpell(bytes: number): string {
  let source = "extends SpellModule\n## A generated spell.\n\nconst MAX_POINTS := 16\n" +
    "enum Mode { FIRE, ICE = 3, STORM }\n\nfunc on_cast(ctx: SpellContext) -> void:\n" +
    '\tfor p in ring_0(ctx, ctx.target_position):\n\t\tctx.world.play_vfx("spark", p, {})\n';
  for (let i = 0;; i++) {
    const next = helper(i);
    if (source.length + next.length > bytes) return source;
    source += next;
  }
}
