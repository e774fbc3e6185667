/**
 * The CI preview workflows promise more than actionlint checks: that the render diff needs no
 * secret (so fork PRs get it), that the credentialed preview never runs for forks, and that
 * the comment workflow never runs PR code with its write token.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";

const WORKFLOWS = path.resolve(__dirname, "../../.github/workflows");

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  id?: string;
}
interface Job {
  if?: string;
  permissions?: Record<string, string>;
  strategy?: { matrix: { stack: string[] } };
  steps: Step[];
}
interface Workflow {
  on: Record<string, { paths?: string[]; workflows?: string[] }>;
  env?: Record<string, string>;
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
}

const read = (file: string) => {
  const text = fs.readFileSync(path.join(WORKFLOWS, file), "utf8");
  return { text, workflow: parse(text) as Workflow };
};

describe("preview workflow", () => {
  const { workflow } = read("preview.yml");
  const renderDiff = workflow.jobs["render-diff"]!;
  const preview = workflow.jobs["pulumi-preview"]!;

  it("runs on pull requests touching stack config, code or package files", () => {
    expect(workflow.on.pull_request!.paths).toEqual(
      expect.arrayContaining([
        "Pulumi*.yaml",
        "src/**",
        "components/**",
        "package.json",
        "package-lock.json",
      ]),
    );
    expect(workflow.permissions).toEqual({ contents: "read" });
  });

  it("renders and diffs every stack against the base branch without any secret, for forks too", () => {
    expect(renderDiff.if).toBeUndefined();
    expect(JSON.stringify(renderDiff)).not.toMatch(/secrets\./);
    expect(workflow.env!.STACKS!.split(" ")).toEqual(["dev", "minikube", "prod"]);
    const diffStep = renderDiff.steps.find((step) => step.id === "diff")!;
    expect(diffStep.run).toContain(
      'npm run -s diff -- --stack "$stack" --base "origin/$BASE_REF" --format markdown',
    );
    expect(renderDiff.steps[0]!.with).toMatchObject({ "fetch-depth": 0 });
    expect(renderDiff.steps.some((step) => step.uses?.startsWith("actions/upload-artifact@"))).toBe(
      true,
    );
  });

  it("runs pulumi preview --diff per stack with a PR comment, skipped for forks", () => {
    expect(preview.if).toContain(
      "github.event.pull_request.head.repo.full_name == github.repository",
    );
    expect(preview.strategy!.matrix.stack).toEqual(["dev", "minikube", "prod"]);
    const pulumi = preview.steps.find((step) => step.uses?.startsWith("pulumi/actions@"))!;
    expect(pulumi.with).toMatchObject({ command: "preview", diff: true, "comment-on-pr": true });
  });

  it("pins every action to a release tag", () => {
    for (const file of fs.readdirSync(WORKFLOWS).filter((name) => name.endsWith(".yml"))) {
      for (const match of read(file).text.matchAll(/uses:\s*(\S+)/g))
        expect(match[1]).toMatch(/^[\w-]+\/[\w-]+@v\d+(\.\d+){0,2}$/);
    }
  });
});

describe("preview comment workflow", () => {
  const { workflow } = read("preview-comment.yml");
  const job = workflow.jobs.comment!;

  it("follows the preview workflow and never checks out or runs PR code with its write token", () => {
    expect(workflow.on.workflow_run!.workflows).toEqual(["preview"]);
    expect(workflow.permissions).toEqual({});
    expect(job.permissions).toEqual({ actions: "read", "pull-requests": "write" });
    expect(job.steps.map((step) => step.uses?.split("@")[0])).toEqual([
      "actions/download-artifact",
      "actions/github-script",
    ]);
    expect(job.steps.some((step) => step.run !== undefined)).toBe(false);
  });
});
