/**
 * `describeGroup()`: who is in a consumer group and which partitions each
 * member holds, for the dashboard's health view.
 *
 * @module
 */
import { DEFAULTS } from "../config.ts";
import { AssignerProtocol } from "kafkajs";
import { Buffer } from "node:buffer";
import { createKafka } from "./client.ts";

/** A consumer group as the broker sees it. */
export interface GroupDescription {
  /** Kafka's group state: Stable, PreparingRebalance, CompletingRebalance, Empty, Dead. */
  state: string;
  members: Array<{
    memberId: string;
    clientId: string;
    host: string;
    /** Partitions held, per topic. */
    assignment: Record<string, number[]>;
  }>;
}

/**
 * Describes `groupId`. A group nobody joined is `Dead` with no members.
 *
 * @example
 * ```ts ignore
 * import { describeGroup } from "./describe_group.ts";
 * const group = await describeGroup(["127.0.0.1:9092"], "order-pipeline");
 * console.log(group.state, group.members.length);
 * ```
 */
export async function describeGroup(
  brokers: readonly string[],
  groupId: string,
): Promise<GroupDescription> {
  const admin = createKafka({
    brokers,
    clientId: `${DEFAULTS.clientId}-admin`,
    logLevel: "nothing",
  })
    .admin();
  await admin.connect();
  try {
    const { groups: [group] } = await admin.describeGroups([groupId]);
    return {
      state: group?.state ?? "Dead",
      members: (group?.members ?? []).map((member) => {
        const decoded = member.memberAssignment.length > 0
          ? AssignerProtocol.MemberAssignment.decode(Buffer.from(member.memberAssignment))
          : null;
        return {
          memberId: member.memberId,
          clientId: member.clientId,
          host: member.clientHost,
          assignment: decoded?.assignment ?? {},
        };
      }),
    };
  } finally {
    await admin.disconnect();
  }
}
