package dev.ratelimit.bindingcontract;

import dev.ratelimit.core.Decision;
import dev.ratelimit.core.RuleOutcome;
import dev.ratelimit.http.Rejection;
import dev.ratelimit.http.RejectionHandler;
import dev.ratelimit.http.RequestView;
import java.util.List;

/**
 * The application's rejection handler of the contract's fixtures: it answers refusals by the limit {@code teapot}
 * with a {@code 418} in plain text, and leaves every other refusal standard. The header
 * {@value #MISBEHAVE_HEADER} makes it misbehave as a faulty handler could: {@code throw}, {@code null}, or
 * {@code header-injection} (a content type with a line break).
 */
public final class ContractRejections implements RejectionHandler {

    /** The request header that makes the handler misbehave. */
    public static final String MISBEHAVE_HEADER = "X-Contract-Rejection";

    @Override
    public Rejection reject(Decision decision, RequestView request, Rejection standard) {
        if (!"teapot".equals(decision.reported().rule().name())) {
            return standard;
        }
        List<String> misbehave = request.headerValues(MISBEHAVE_HEADER);
        String how = misbehave.isEmpty() ? "" : misbehave.get(0);
        switch (how) {
            case "throw":
                throw new IllegalStateException("a faulty handler");
            case "null":
                return null;
            case "header-injection":
                return new Rejection(418, "text/plain\r\nSet-Cookie: session=stolen", "injected");
            default:
                String policies = String.join(",", decision.limits().stream().filter(o -> !o.allowed())
                        .map(RuleOutcome::rule).map(r -> r.name()).toList());
                return new Rejection(418, "text/plain; charset=UTF-8", "No more tea (" + policies + "); was "
                        + standard.status() + ", retry in " + decision.retryAfterSeconds() + " s");
        }
    }
}
