/**
 * kubectl: run the real kubectl against a test cluster with a private KUBECONFIG, HOME and
 * discovery cache, so tests never touch the user's ~/.kube.
 */
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";

type KubeObject = Record<string, any>;

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** UnexpectedKubectlExit: kubectl exited with another code than the test expected. */
export class UnexpectedKubectlExit extends Error {
  constructor(args: string[], expected: string, r: KubectlResult) {
    super(`kubectl ${args.join(" ")}: expected exit ${expected}, got ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
    this.name = "UnexpectedKubectlExit";
  }
}

/** findKubectl: /usr/bin/kubectl, else the first kubectl on PATH, else undefined. */
export function findKubectl(): string | undefined {
  if (existsSync("/usr/bin/kubectl")) return "/usr/bin/kubectl";
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = join(dir, "kubectl");
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Kubectl: runs kubectl with a private KUBECONFIG, HOME and discovery cache. */
export class Kubectl {
  constructor(
    private readonly binary: string,
    private readonly kubeconfig: string,
    private readonly home: string,
  ) {}

  private env(): NodeJS.ProcessEnv {
    return { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: this.home, KUBECONFIG: this.kubeconfig, KUBECTL_INTERACTIVE_DELETE: "false" };
  }

  private fullArgs(args: string[]): string[] {
    return ["--cache-dir", join(this.home, "cache"), ...args];
  }

  /** run: any exit code. */
  run(args: string[]): Promise<KubectlResult> {
    return new Promise((resolve) => {
      execFile(this.binary, this.fullArgs(args), { env: this.env(), maxBuffer: 16 * 1024 * 1024, timeout: 30_000 }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as NodeJS.ErrnoException).code === "number" ? Number((err as NodeJS.ErrnoException).code) : 255) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      });
    });
  }

  /** ok: exit 0, returns stdout. */
  async ok(args: string[]): Promise<string> {
    const r = await this.run(args);
    if (r.code !== 0) throw new UnexpectedKubectlExit(args, "0", r);
    return r.stdout;
  }

  /** fails: a non-zero exit, returns the result. */
  async fails(args: string[]): Promise<KubectlResult> {
    const r = await this.run(args);
    if (r.code === 0) throw new UnexpectedKubectlExit(args, "non-zero", r);
    return r;
  }

  /** json: `get ... -o json` parsed. */
  async json<T = KubeObject>(args: string[]): Promise<T> {
    return JSON.parse(await this.ok(["get", ...args, "-o", "json"])) as T;
  }

  /** spawn: a long-running kubectl (get -w) whose output accumulates. */
  spawn(args: string[]): { output: () => string; stop: () => Promise<void> } {
    const child = spawn(this.binary, this.fullArgs(args), { env: this.env(), stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    child.stderr.on("data", (b: Buffer) => (out += b.toString()));
    const exited = new Promise<void>((res) => child.once("exit", () => res()));
    return {
      output: () => out,
      async stop() {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
        await exited;
      },
    };
  }
}

