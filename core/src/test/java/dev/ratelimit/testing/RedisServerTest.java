package dev.ratelimit.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisConnectionException;

class RedisServerTest {

    @Test
    void startedServerAnswersPingAndReportsItsVersion() {
        try (RedisServer redis = RedisServer.start(); RedisClient client = redis.client()) {
            assertThat(redis.isRunning()).isTrue();
            assertThat(redis.host()).isEqualTo("127.0.0.1");
            assertThat(redis.port()).isBetween(1, 65535);
            assertThat(redis.uri()).isEqualTo("redis://127.0.0.1:" + redis.port());
            assertThat(redis.pid()).isPositive();
            assertThat(client.ping()).isEqualTo("PONG");
            assertThat(redis.version()).matches("\\d+\\.\\d+\\.\\d+");
            if (RedisServer.EMBEDDED.equals(System.getProperty(RedisServer.BINARY_PROPERTY))) {
                assertThat(redis.binary()).isEqualTo(RedisServer.embeddedBinary());
                assertThat(redis.version()).startsWith("6.2.");
            }
            assertThat(client.info("server")).contains("redis_version:" + redis.version())
                    .contains("tcp_port:" + redis.port());
        }
    }

    @Test
    void closeStopsTheProcess() {
        RedisServer redis = RedisServer.start();
        ProcessHandle handle = ProcessHandle.of(redis.pid()).orElseThrow();
        redis.close();
        assertThat(redis.isRunning()).isFalse();
        assertThat(handle.isAlive()).isFalse();
    }

    @Test
    void killMakesConnectionsFailAndRestartAnswersOnTheSamePortWithAnEmptyDataset() {
        try (RedisServer redis = RedisServer.start()) {
            int port = redis.port();
            long firstPid = redis.pid();
            try (RedisClient client = redis.client()) {
                client.set("k", "v");
                assertThat(client.dbSize()).isEqualTo(1);
            }

            redis.kill();
            assertThat(redis.isRunning()).isFalse();
            try (RedisClient client = redis.client(Duration.ofMillis(500))) {
                assertThatThrownBy(client::ping).isInstanceOf(JedisConnectionException.class);
            }

            redis.restart();
            assertThat(redis.isRunning()).isTrue();
            assertThat(redis.port()).isEqualTo(port);
            assertThat(redis.pid()).isNotEqualTo(firstPid);
            try (RedisClient client = redis.client()) {
                assertThat(client.ping()).isEqualTo("PONG");
                assertThat(client.dbSize()).isZero();
                assertThat(client.get("k")).isNull();
            }
        }
    }

    @Test
    void restartOfARunningServerKillsItFirst() {
        try (RedisServer redis = RedisServer.start()) {
            ProcessHandle first = ProcessHandle.of(redis.pid()).orElseThrow();
            try (RedisClient client = redis.client()) {
                client.set("k", "v");
            }
            redis.restart();
            assertThat(first.isAlive()).isFalse();
            assertThat(redis.pid()).isNotEqualTo(first.pid());
            try (RedisClient client = redis.client()) {
                assertThat(client.exists("k")).isFalse();
            }
        }
    }

    @Test
    void pauseMakesRequestsTimeOutAndResumeMakesThemAnswerAgain() {
        try (RedisServer redis = RedisServer.start()) {
            redis.pause();
            assertThat(redis.isPaused()).isTrue();
            assertThat(redis.isRunning()).isTrue();
            try (RedisClient client = redis.client(Duration.ofMillis(200))) {
                long start = System.nanoTime();
                assertThatThrownBy(client::ping)
                        .isInstanceOf(JedisConnectionException.class)
                        .hasRootCauseInstanceOf(SocketTimeoutException.class);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            }

            redis.resume();
            assertThat(redis.isPaused()).isFalse();
            try (RedisClient client = redis.client(Duration.ofMillis(200))) {
                assertThat(client.ping()).isEqualTo("PONG");
            }
        }
    }

    @Test
    void closeKillsAPausedServer() {
        RedisServer redis = RedisServer.start();
        ProcessHandle handle = ProcessHandle.of(redis.pid()).orElseThrow();
        redis.pause();
        redis.close();
        assertThat(handle.isAlive()).isFalse();
    }

    @Test
    void sharedIsOneRunningServerThatRefusesFaultInjection() {
        RedisServer first = RedisServer.shared();
        RedisServer second = RedisServer.shared();
        assertThat(second).isSameAs(first);
        try (RedisClient client = first.client()) {
            assertThat(client.ping()).isEqualTo("PONG");
        }
        assertThatThrownBy(first::kill).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(first::pause).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(first::restart).isInstanceOf(IllegalStateException.class);
        first.close();
        assertThat(first.isRunning()).isTrue();
    }

    @Test
    void flushAllEmptiesTheServer() {
        try (RedisServer redis = RedisServer.start(); RedisClient client = redis.client()) {
            client.set("a", "1");
            client.set("b", "2");
            assertThat(client.dbSize()).isEqualTo(2);
            redis.flushAll();
            assertThat(client.dbSize()).isZero();
        }
    }

    @Test
    void startedServersGetDistinctPorts() {
        try (RedisServer a = RedisServer.start(); RedisServer b = RedisServer.start()) {
            assertThat(a.port()).isNotEqualTo(b.port());
        }
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    @EnabledIfSystemProperty(named = "os.arch", matches = "amd64|x86_64|aarch64|arm64")
    void embeddedBinaryStartsARedis62() {
        try (RedisServer redis = RedisServer.start(RedisServer.embeddedBinary());
                RedisClient client = redis.client()) {
            assertThat(redis.binary()).isEqualTo(RedisServer.embeddedBinary());
            assertThat(redis.version()).startsWith("6.2.");
            assertThat(client.ping()).isEqualTo("PONG");
            assertThat(client.info("server")).contains("redis_version:6.2.");
        }
    }

    @Test
    void lookupPrefersRedisServerEnvOverThePath(@TempDir Path dir) throws IOException {
        Path fromEnv = executable(dir.resolve("env/my-redis"));
        Path onPath = executable(dir.resolve("bin/redis-server"));
        String path = dir.resolve("missing") + File.pathSeparator + onPath.getParent();

        assertThat(RedisServer.findBinary(null, fromEnv.toString(), path)).isEqualTo(fromEnv);
        assertThat(RedisServer.findBinary("", " ", path)).isEqualTo(onPath);
    }

    @Test
    void lookupSkipsNonExecutableFilesOnThePath(@TempDir Path dir) throws IOException {
        Path notExecutable = Files.createDirectories(dir.resolve("a")).resolve("redis-server");
        Files.writeString(notExecutable, "");
        Path executable = executable(dir.resolve("b/redis-server"));
        Files.createDirectories(dir.resolve("c/redis-server")); // a directory, not a file

        String path = dir.resolve("c") + File.pathSeparator + notExecutable.getParent() + File.pathSeparator
                + executable.getParent();
        assertThat(RedisServer.findBinary(null, null, path)).isEqualTo(executable);
    }

    @Test
    void lookupFailsClearlyOnABadRedisServerEnvOrProperty(@TempDir Path dir) {
        assertThatThrownBy(() -> RedisServer.findBinary(null, dir.resolve("nope").toString(), ""))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("REDIS_SERVER");
        assertThatThrownBy(() -> RedisServer.findBinary("docker", null, ""))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ratelimit.test.redis");
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    @EnabledIfSystemProperty(named = "os.arch", matches = "amd64|x86_64|aarch64|arm64")
    void lookupFallsBackToTheEmbeddedBinaryAndThePropertyForcesIt(@TempDir Path dir) throws IOException {
        Path fromEnv = executable(dir.resolve("redis-server"));
        assertThat(RedisServer.findBinary(null, null, dir.resolve("empty").toString()))
                .isEqualTo(RedisServer.embeddedBinary());
        assertThat(RedisServer.findBinary("embedded", fromEnv.toString(), dir.toString()))
                .isEqualTo(RedisServer.embeddedBinary());
    }

    private static Path executable(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/bin/sh\n");
        assertThat(file.toFile().setExecutable(true)).isTrue();
        return file;
    }
}
