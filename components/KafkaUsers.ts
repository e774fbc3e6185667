import * as pulumi from "@pulumi/pulumi";
import type { AclSpec, KafkaClientConfig, KafkaUserSpec } from "../src/config/schema";
import { connectionFromConfig } from "../src/topics/model";
import {
  credentialsOf,
  declareSuperuser,
  declareUsers,
  declareUserSecrets,
  declareWildcardGrants,
  usersProblems,
  type UserSettings,
} from "../src/users/declare";

/** Arguments of {@link KafkaUsers}. */
export interface KafkaUsersArgs {
  /** The SCRAM users and their ACLs: the resolved `apphub-streaming:users` (may be empty). Required. */
  users: KafkaUserSpec[];
  /** Passwords by user name (the secret config `kafkaUserPasswords`). Default: none; every other user's password is generated. */
  passwords?: Record<string, pulumi.Input<string>>;
  /** Bootstrap brokers reachable from where `pulumi up` runs (`host:port`). Required. */
  brokers: pulumi.Input<string[]>;
  /**
   * Kafka client settings: `sasl` is the superuser that writes users and ACLs, `adminUrls`
   * Redpanda's Admin API (needed where the brokers lack KIP-554). Required; defaults come from
   * `apphub-streaming:kafka`.
   */
  kafka: KafkaClientConfig;
  /** Password of the `kafka.sasl` user, a Pulumi secret. Default: none (no SASL). */
  saslPassword?: pulumi.Input<string>;
  /**
   * Apply `saslPassword` to the `kafka.sasl` user itself on `pulumi up`, authenticated with the
   * previous one, before anything in `superuserReady`'s dependents logs in. Default: false.
   */
  manageSuperuser?: boolean;
  /** PEM of the CA that signed the brokers' TLS certificates. Default: the system trust store. */
  tlsCaCertificate?: pulumi.Input<string>;
  /** Namespace for a Secret `apphub-kafka-user-<name>` per user (Kubernetes stacks). Default: none, no Secrets. */
  secretsNamespace?: string;
  /** ACLs granted to `User:*` (every user; on Redpanda also a listener's unauthenticated clients). Default: none. */
  wildcardAcls?: AclSpec[];
  /** Resources that must be ready before any credential or ACL is written. Default: none. */
  brokersReady?: pulumi.Input<pulumi.Resource>[];
}

/**
 * Kafka users as code: one `pulumi-nodejs:dynamic/streaming:KafkaUser` per user holding its
 * SCRAM credential and ACLs (over KIP-554 where the brokers serve it, else Redpanda's Admin
 * API), its password configured or generated and exported only as secrets, a Kubernetes
 * Secret per user when asked, and optionally the stack's own superuser, whose password
 * changes reach the brokers before anything logs in with them (docs/security.md).
 */
export class KafkaUsers extends pulumi.ComponentResource {
  /** `{ <name>: { mechanism, password } }`, a Pulumi secret: the stack output `kafkaUsers`. */
  public readonly credentials: pulumi.Output<
    Record<string, { mechanism: string; password: string }>
  >;
  /** What must complete before anything logs in as the superuser: its password rotation, when managed. */
  public readonly superuserReady: pulumi.Resource[];
  /** The per-user resources. */
  public readonly userResources: pulumi.Resource[];

  constructor(name: string, args: KafkaUsersArgs, opts?: pulumi.ComponentResourceOptions) {
    super("apphub:streaming:KafkaUsers", name, {}, opts);
    const passwords = args.passwords ?? {};
    const adminUrls = args.kafka.adminUrls ?? [];
    const connection = connectionFromConfig(args.kafka, args.brokers, args.tlsCaCertificate);
    const problems = usersProblems(args.users, passwords, {
      kafka: args.kafka,
      connection,
      adminUrls,
    });
    if (args.manageSuperuser && (!args.kafka.sasl || args.saslPassword === undefined))
      problems.push(
        "manageSuperuser: expected kafka.sasl and saslPassword (the superuser to manage)",
      );
    if (problems.length > 0)
      throw new pulumi.ResourceError(
        `KafkaUsers ${name}: invalid users:\n  ${problems.join("\n  ")}`,
        this,
      );

    const scope = { name, parent: this };
    const brokersReady = args.brokersReady ?? [];
    const superuser =
      args.manageSuperuser && args.kafka.sasl && args.saslPassword !== undefined
        ? declareSuperuser(scope, args.kafka.sasl, args.saslPassword, {
            connection,
            adminUrls,
            ready: brokersReady,
          })
        : undefined;
    const settings: UserSettings = {
      connection,
      ...(args.saslPassword !== undefined ? { saslPassword: args.saslPassword } : {}),
      adminUrls,
      ready: [...brokersReady, ...(superuser ? [superuser] : [])],
    };
    const users = declareUsers(scope, args.users, passwords, settings);
    const wildcard =
      args.wildcardAcls && args.wildcardAcls.length > 0
        ? [declareWildcardGrants(scope, args.wildcardAcls, settings)]
        : [];
    if (args.secretsNamespace !== undefined)
      declareUserSecrets(scope, args.secretsNamespace, users);

    this.credentials = credentialsOf(users);
    this.superuserReady = superuser ? [superuser] : [];
    this.userResources = [...users.map((user) => user.resource), ...wildcard];
    this.registerOutputs({ credentials: this.credentials });
  }
}
