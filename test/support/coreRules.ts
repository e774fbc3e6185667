/**
 * The test oracle for AppHub's side: how core and timestore read the streaming variables
 * (SPEC, "Facts"), written from SPEC's description and independently of `src/env/variables.ts`
 * (so it spells the variable names out on purpose), as a zod schema:
 * booleans case-insensitively `1/true/yes/on` or `0/false/no/off`, brokers comma-separated
 * `host:port`. Timestore silently falls back to its default on any other boolean spelling, so
 * this schema is stricter than timestore on purpose: a value it refuses is one timestore
 * would have ignored. The tests parse every env this program emits with it, to check that
 * the services see the flags the stack config meant.
 */
import { z } from "zod";

const TRUE_WORDS = new Set(["1", "true", "yes", "on"]);
const FALSE_WORDS = new Set(["0", "false", "no", "off"]);
const BROKER_LIST = /^[^\s:,]+:[0-9]{1,5}(,[^\s:,]+:[0-9]{1,5})*$/;
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

export const coreBoolean = z.string().transform((text, context) => {
  const word = text.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  context.addIssue({
    code: "custom",
    message: `expected 1/true/yes/on or 0/false/no/off, got ${JSON.stringify(text)}`,
  });
  return z.NEVER;
});

export const coreBrokerList = z
  .string()
  .regex(BROKER_LIST, { error: 'expected comma-separated "host:port" brokers' })
  .transform((text) => text.split(","));

const milliseconds = z
  .string()
  .regex(/^[1-9][0-9]*$/, { error: "expected a positive integer number of milliseconds" })
  .transform(Number);
const topicName = z.string().regex(TOPIC_NAME, { error: "expected a Kafka topic name" });

/** The variables as core reads them, turned into the settings they mean. */
export const coreStreamingEnv = z
  .strictObject({
    APPHUB_STREAMING_ENABLED: coreBoolean,
    APPHUB_STREAM_BROKER_URL: coreBrokerList,
    APPHUB_STREAM_MIRROR_WORKFLOW_RUNS: coreBoolean,
    APPHUB_STREAM_MIRROR_WORKFLOW_EVENTS: coreBoolean,
    APPHUB_STREAM_MIRROR_JOB_RUNS: coreBoolean,
    APPHUB_STREAM_MIRROR_INGESTION: coreBoolean,
    APPHUB_STREAM_MIRROR_CORE_EVENTS: coreBoolean,
    APPHUB_STREAM_CLIENT_ID: z.string().min(1),
    APPHUB_STREAM_CONNECT_TIMEOUT_MS: milliseconds,
    APPHUB_STREAM_PUBLISH_TIMEOUT_MS: milliseconds,
    APPHUB_STREAM_TOPIC_WORKFLOW_RUNS: topicName.optional(),
    APPHUB_STREAM_TOPIC_WORKFLOW_EVENTS: topicName.optional(),
    APPHUB_STREAM_TOPIC_JOB_RUNS: topicName.optional(),
    APPHUB_STREAM_TOPIC_INGESTION: topicName.optional(),
    APPHUB_STREAM_TOPIC_CORE_EVENTS: topicName.optional(),
    APPHUB_EVENT_SEQUENCE_DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  })
  .transform((env) => ({
    enabled: env.APPHUB_STREAMING_ENABLED,
    brokers: env.APPHUB_STREAM_BROKER_URL,
    mirrors: {
      workflowRuns: env.APPHUB_STREAM_MIRROR_WORKFLOW_RUNS,
      workflowEvents: env.APPHUB_STREAM_MIRROR_WORKFLOW_EVENTS,
      jobRuns: env.APPHUB_STREAM_MIRROR_JOB_RUNS,
      ingestion: env.APPHUB_STREAM_MIRROR_INGESTION,
      coreEvents: env.APPHUB_STREAM_MIRROR_CORE_EVENTS,
    },
    clientId: env.APPHUB_STREAM_CLIENT_ID,
    connectTimeoutMs: env.APPHUB_STREAM_CONNECT_TIMEOUT_MS,
    publishTimeoutMs: env.APPHUB_STREAM_PUBLISH_TIMEOUT_MS,
    topics: {
      workflowRuns: env.APPHUB_STREAM_TOPIC_WORKFLOW_RUNS,
      workflowEvents: env.APPHUB_STREAM_TOPIC_WORKFLOW_EVENTS,
      jobRuns: env.APPHUB_STREAM_TOPIC_JOB_RUNS,
      ingestion: env.APPHUB_STREAM_TOPIC_INGESTION,
      coreEvents: env.APPHUB_STREAM_TOPIC_CORE_EVENTS,
    },
    sequenceDatabaseUrl: env.APPHUB_EVENT_SEQUENCE_DATABASE_URL,
  }));

export type CoreStreamingSettings = z.output<typeof coreStreamingEnv>;
