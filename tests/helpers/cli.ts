/** Runs `main.ts` with a command, as an operator would (a separate process). */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const decoder = new TextDecoder();

export async function runCli(
  args: string[],
  env: Record<string, string>,
  permissions = ["--allow-read", "--allow-write", "--allow-env"],
): Promise<CliResult> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...permissions, MAIN, ...args],
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
  }).output();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}
