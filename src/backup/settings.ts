/**
 * Settings of the backup CLI, from flags with environment fallbacks (the CronJob sets the
 * environment from stack config). Pure: validated with zod, every problem reported at once,
 * each naming the flag and the variable and what was expected.
 */
import { z } from "zod";
import {
  BACKUP_CONCURRENCY,
  BACKUP_FULL_EVERY_HOURS,
  MAX_BROKERS,
  pathStyleByDefault,
} from "../config/rules";
import { CONTAINER_NAME, PATHS, STATEFULSET_NAME } from "../cluster/constants";
import { DEFAULT_BACKUP, DEFAULT_NAMESPACE } from "../config/schema";

/** Flag name → environment variable. */
export const SETTING_ENV = {
  bucket: "BACKUP_BUCKET",
  prefix: "BACKUP_PREFIX",
  region: "BACKUP_REGION",
  endpoint: "BACKUP_ENDPOINT",
  "force-path-style": "BACKUP_FORCE_PATH_STYLE",
  "full-every-hours": "BACKUP_FULL_EVERY_HOURS",
  concurrency: "BACKUP_CONCURRENCY",
  namespace: "BACKUP_NAMESPACE",
  brokers: "BACKUP_BROKER_COUNT",
  "pod-prefix": "BACKUP_POD_PREFIX",
  container: "BACKUP_CONTAINER",
  "data-dir": "BACKUP_DATA_DIR",
} as const;
export type SettingFlag = keyof typeof SETTING_ENV;

const integerText = (what: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { error: `expected ${what}` })
    .transform(Number)
    .refine((value) => value >= min && value <= max, { error: `expected ${what}` });
const booleanText = z
  .enum(["true", "false", "1", "0"], { error: "expected true or false" })
  .transform((value) => value === "true" || value === "1");

const schema = z.object({
  bucket: z
    .string({ error: "is required: expected the S3 bucket name" })
    .min(1, { error: "expected the S3 bucket name" }),
  prefix: z.string().min(1).default(DEFAULT_BACKUP.prefix),
  region: z.string().min(1).default(DEFAULT_BACKUP.region),
  endpoint: z.url({ error: "expected an http(s) URL of an S3-compatible endpoint" }).optional(),
  "force-path-style": booleanText.optional(),
  "full-every-hours": integerText(
    `a whole number of hours between ${BACKUP_FULL_EVERY_HOURS.min} and ${BACKUP_FULL_EVERY_HOURS.max} (a year)`,
    BACKUP_FULL_EVERY_HOURS.min,
    BACKUP_FULL_EVERY_HOURS.max,
  ).default(DEFAULT_BACKUP.fullEveryHours),
  concurrency: integerText(
    `a number of parallel transfers between ${BACKUP_CONCURRENCY.min} and ${BACKUP_CONCURRENCY.max}`,
    BACKUP_CONCURRENCY.min,
    BACKUP_CONCURRENCY.max,
  ).default(4),
  namespace: z.string().min(1).default(DEFAULT_NAMESPACE),
  brokers: integerText(`a broker count between 1 and ${MAX_BROKERS}`, 1, MAX_BROKERS).optional(),
  "pod-prefix": z.string().min(1).default(STATEFULSET_NAME),
  container: z.string().min(1).default(CONTAINER_NAME),
  "data-dir": z
    .string()
    .startsWith("/", { error: "expected an absolute path" })
    .default(PATHS.data),
});

export interface BackupSettings {
  bucket: string;
  prefix: string;
  region: string;
  endpoint?: string;
  forcePathStyle: boolean;
  fullEveryHours: number;
  concurrency: number;
  namespace: string;
  brokerCount?: number;
  podPrefix: string;
  container: string;
  dataDir: string;
}

export type SettingsResult =
  { ok: true; settings: BackupSettings } | { ok: false; problems: string[] };

/** Flags win over the environment; empty environment values count as unset. */
export function resolveSettings(
  flags: Partial<Record<SettingFlag, string | boolean | undefined>>,
  env: NodeJS.ProcessEnv,
): SettingsResult {
  const merged: Record<string, string> = {};
  for (const [flag, variable] of Object.entries(SETTING_ENV) as [SettingFlag, string][]) {
    const fromFlag = flags[flag];
    const value = fromFlag === undefined ? env[variable] : String(fromFlag);
    if (value !== undefined && value !== "") merged[flag] = value;
  }
  if (merged.region === undefined && env.AWS_REGION) merged.region = env.AWS_REGION;
  const parsed = schema.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const flag = String(issue.path[0]) as SettingFlag;
      return `--${flag} (or ${SETTING_ENV[flag]}): ${issue.message}${merged[flag] !== undefined ? `, got ${JSON.stringify(merged[flag])}` : ""}`;
    });
    return { ok: false, problems };
  }
  const value = parsed.data;
  return {
    ok: true,
    settings: {
      bucket: value.bucket,
      prefix: value.prefix,
      region: value.region,
      ...(value.endpoint ? { endpoint: value.endpoint } : {}),
      forcePathStyle: value["force-path-style"] ?? pathStyleByDefault(value.endpoint),
      fullEveryHours: value["full-every-hours"],
      concurrency: value.concurrency,
      namespace: value.namespace,
      ...(value.brokers !== undefined ? { brokerCount: value.brokers } : {}),
      podPrefix: value["pod-prefix"],
      container: value.container,
      dataDir: value["data-dir"],
    },
  };
}

/** `apphub-redpanda` + 3 → `apphub-redpanda-0`, `-1`, `-2`: the StatefulSet's pod names. */
export function brokerPodNames(podPrefix: string, brokerCount: number): string[] {
  return Array.from({ length: brokerCount }, (_, ordinal) => `${podPrefix}-${ordinal}`);
}
