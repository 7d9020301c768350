import { titleCase } from "../core/spell/manifest.ts";

/**
 * The spell built when `spell.start_build` carries no code (original-system §7.2): a SpellModule
 * that prints the cast and plays a default effect. `spellId` is already `^[a-z0-9_]+$`, so it is safe
 * inside a GDScript string literal.
 */
export function stubSpell(spellId: string): string {
  return `extends SpellModule
## ${titleCase(spellId)}: a generated stub. Replace on_cast with your spell.


func get_manifest() -> Dictionary:
    return {
        "spell_id": "${spellId}",
        "name": "${titleCase(spellId)}",
    }


func on_cast(ctx: SpellContext) -> void:
    print("[${spellId}] Cast by ", ctx.caster_id, " at ", ctx.target_position)
    if ctx.world:
        ctx.world.play_vfx("default_cast", ctx.target_position)


func on_tick(ctx: SpellContext, dt: float) -> void:
    pass


func on_cancel(ctx: SpellContext) -> void:
    print("[${spellId}] Cancelled")
`;
}
