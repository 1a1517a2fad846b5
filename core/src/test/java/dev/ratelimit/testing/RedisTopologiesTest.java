package dev.ratelimit.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClusterClient;

/** The cluster and sentinel harnesses build what they promise. */
class RedisTopologiesTest {

    @Test
    void sharedClusterHasThreeMastersWithAReplicaEachAndServesEverySlot() {
        RedisCluster cluster = RedisCluster.shared();

        assertThat(cluster.nodes()).hasSize(6);
        assertThat(cluster.masters()).hasSize(3);
        for (RedisServer node : cluster.nodes()) {
            try (Jedis jedis = RedisCluster.jedis(node)) {
                assertThat(jedis.clusterInfo()).contains("cluster_state:ok", "cluster_slots_assigned:16384",
                        "cluster_known_nodes:6", "cluster_size:3");
            }
        }
        try (RedisClusterClient client = cluster.client()) {
            for (int i = 0; i < 30; i++) {
                client.set("harness-" + i, "v" + i);
                assertThat(client.get("harness-" + i)).isEqualTo("v" + i);
            }
        }
    }

    @Test
    void sentinelSetMonitorsAMasterWithOneReplica() {
        try (RedisSentinelSet set = RedisSentinelSet.start()) {
            assertThat(set.sentinelAddresses()).hasSize(3);
            RedisServer master = set.currentMaster();
            assertThat(master).isEqualTo(set.dataNodes().get(0));
            try (Jedis jedis = set.dataJedis(master)) {
                assertThat(jedis.info("replication")).contains("role:master", "connected_slaves:1");
            }
        }
    }
}
