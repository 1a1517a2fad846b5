package com.acme;

import dev.ratelimit.core.Decision;
import dev.ratelimit.http.Rejection;
import dev.ratelimit.http.RejectionHandler;
import dev.ratelimit.http.RequestView;

public class ShopRejections implements RejectionHandler {
    @Override
    public Rejection reject(Decision decision, RequestView request, Rejection standard) {
        return new Rejection(standard.status(), "application/json",
                "{\"error\":\"slow_down\",\"retry_in\":" + decision.retryAfterSeconds() + "}");
    }
}
