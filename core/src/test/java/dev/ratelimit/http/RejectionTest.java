package dev.ratelimit.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RejectionTest {

    @ParameterizedTest
    @ValueSource(strings = {"application/json", "text/plain; charset=UTF-8", "text/plain;charset=utf-8",
            "application/problem+json", "application/vnd.acme.error+json; version=\"2; beta\"", "a/b;x=\"\\\"\""})
    void mediaTypesAreAccepted(String contentType) {
        assertThat(new Rejection(429, contentType, "").contentType()).isEqualTo(contentType);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "json", "text/plain\r\nSet-Cookie: a=b", "text/plain\n", "text/plain; a=b\u0000",
            "text/pläin", "text/plain; charset", "text/plain;;", " text/plain", "text /plain", "a/b; x=\"open"})
    void anythingElseIsRefusedSoNothingReachesAHeader(String contentType) {
        assertThatThrownBy(() -> new Rejection(429, contentType, "")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("\r").hasMessageNotContaining("\n");
    }

    @ParameterizedTest
    @ValueSource(ints = {399, 200, 302, 600, -1})
    void theStatusIsAnErrorStatus(int status) {
        assertThatThrownBy(() -> new Rejection(status, "text/plain", "")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(String.valueOf(status));
        assertThat(new Rejection(400, "text/plain", "").status()).isEqualTo(400);
        assertThat(new Rejection(599, "text/plain", "").status()).isEqualTo(599);
    }

    @org.junit.jupiter.api.Test
    void nullsAreRefused() {
        assertThatThrownBy(() -> new Rejection(429, null, "")).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new Rejection(429, "text/plain", null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new Rejection(429, "a/" + "b".repeat(300), ""))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
