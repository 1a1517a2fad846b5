package dev.ratelimit.internal.http;

import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.http.RequestView;
import dev.ratelimit.http.RulesResolver;
import dev.ratelimit.internal.ClientKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ready-made {@link RulesResolver} of the plan table in the settings ({@code ratelimit.plans.*}, read by
 * {@code internal.config.PlanSettings}): a request belongs to the first plan, in the configured order, whose role its
 * principal has or whose name the plan header carries, else to the default plan, else to none (it keeps the declared
 * rules). A plan's rules are the declared ones with the plan's values for the rules of each name: another limit,
 * window, algorithm or cost, or none ({@code enabled=false}).
 *
 * <p>The effective rules of each declared list are computed once for every plan, when the list is first seen
 * ({@link #prepare(List)}, which the bindings call at deployment so that an invalid value fails it), and cached by the
 * list's identity: the request path looks a list up and allocates no rule. Thread-safe.
 */
public final class PlanRules implements RulesResolver {

    /** The most declared lists cached; the bindings have one per limited method or filter, far fewer. */
    static final int MAX_CACHED = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(PlanRules.class);

    /**
     * A plan's version of one declared rule, from the settings.
     */
    @FunctionalInterface
    public interface PlanValues {
        /**
         * The rule under a plan.
         *
         * @param plan     the plan's name
         * @param declared the declared rule
         * @return {@code declared} when the plan sets nothing for its name, the rule with the plan's values, or null
         *         when the plan drops it
         * @throws IllegalArgumentException naming the setting, its value and its source, when a value is invalid
         */
        RateLimitRule of(String plan, RateLimitRule declared);
    }

    /**
     * One plan.
     *
     * @param name the plan's name
     * @param role the role whose members belong to it, or null
     */
    public record Plan(String name, String role) {
        /**
         * Checks the name.
         *
         * @param name the plan's name
         * @param role the role whose members belong to it, or null
         */
        public Plan {
            Objects.requireNonNull(name, "name");
        }
    }

    private final List<Plan> plans;
    private final String header;
    private final int defaultPlan;
    private final PlanValues values;
    private final boolean byRole;
    private final ConcurrentHashMap<Identity, List<RateLimitRule>[]> effective = new ConcurrentHashMap<>();
    private final AtomicBoolean cacheFullReported = new AtomicBoolean();

    /**
     * The plan table.
     *
     * @param plans       the plans, in precedence order; not empty
     * @param header      the request header naming the request's plan, or null
     * @param defaultPlan the index in {@code plans} of the plan of a request that belongs to none, or -1
     * @param values      each plan's values for the declared rules
     */
    public PlanRules(List<Plan> plans, String header, int defaultPlan, PlanValues values) {
        this.plans = List.copyOf(plans);
        if (this.plans.isEmpty()) {
            throw new IllegalArgumentException("no plan");
        }
        if (defaultPlan < -1 || defaultPlan >= this.plans.size()) {
            throw new IllegalArgumentException("no plan " + defaultPlan);
        }
        this.header = header;
        this.defaultPlan = defaultPlan;
        this.values = Objects.requireNonNull(values, "values");
        this.byRole = this.plans.stream().anyMatch(p -> p.role() != null);
    }

    /** {@return the plans, in precedence order} */
    public List<Plan> plans() {
        return plans;
    }

    /** {@return the header naming the plan, or null} */
    public String header() {
        return header;
    }

    /** {@return the default plan's name, or null} */
    public String defaultPlan() {
        return defaultPlan < 0 ? null : plans.get(defaultPlan).name();
    }

    @Override
    public List<RateLimitRule> resolve(RequestView request, List<RateLimitRule> declared) {
        int plan = planOf(request);
        return plan < 0 ? declared : rulesOf(declared)[plan];
    }

    /**
     * Computes the effective rules of a declared list under every plan, now, and caches them.
     *
     * @param declared the rules of one endpoint, the list the binding passes for each of its requests
     * @throws IllegalArgumentException naming the setting, its value and its source, when a plan's value does not
     *                                  make a valid rule or rule list of {@code declared}
     */
    public void prepare(List<RateLimitRule> declared) {
        rulesOf(declared);
    }

    /** The index of the request's plan; -1 when it belongs to none and there is no default plan. */
    int planOf(RequestView request) {
        String named = null;
        if (header != null) {
            List<String> values = request.headerValues(header);
            named = values.isEmpty() ? null : values.get(0).strip();
        }
        boolean authenticated = byRole && request.principalName() != null;
        for (int i = 0; i < plans.size(); i++) {
            Plan p = plans.get(i);
            if (p.name().equals(named) || authenticated && p.role() != null && request.isUserInRole(p.role())) {
                return i;
            }
        }
        return defaultPlan;
    }

    private List<RateLimitRule>[] rulesOf(List<RateLimitRule> declared) {
        Identity key = new Identity(declared);
        List<RateLimitRule>[] found = effective.get(key);
        if (found != null) {
            return found;
        }
        List<RateLimitRule>[] computed = compute(declared);
        if (effective.size() >= MAX_CACHED) {
            if (cacheFullReported.compareAndSet(false, true)) {
                LOG.warn("The plan table has cached the rules of {} declared rule lists; further lists are computed "
                        + "per request. (Logged once.)", MAX_CACHED);
            }
            return computed;
        }
        List<RateLimitRule>[] raced = effective.putIfAbsent(key, computed);
        return raced != null ? raced : computed;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private List<RateLimitRule>[] compute(List<RateLimitRule> declared) {
        List<RateLimitRule>[] all = new List[plans.size()];
        for (int i = 0; i < all.length; i++) {
            String plan = plans.get(i).name();
            List<RateLimitRule> rules = new ArrayList<>(declared.size());
            boolean changed = false;
            for (RateLimitRule rule : declared) {
                RateLimitRule own = values.of(plan, rule);
                changed |= own != rule;
                if (own != null) {
                    rules.add(own);
                }
            }
            if (!changed) {
                all[i] = declared;
                continue;
            }
            if (!rules.isEmpty()) {
                try {
                    ClientKeys.checkRules(rules);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("The plan '" + plan + "' (ratelimit.plans." + plan
                            + ".rules.*) makes invalid rules of " + declared + ": " + e.getMessage(), e);
                }
            }
            all[i] = List.copyOf(rules);
        }
        return all;
    }

    /** For the logs: {@code plans [pro (role pro), free], header X-Plan, default free}. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("plans [");
        for (int i = 0; i < plans.size(); i++) {
            Plan p = plans.get(i);
            s.append(i == 0 ? "" : ", ").append(p.name()).append(p.role() == null ? "" : " (role " + p.role() + ")");
        }
        s.append(']');
        if (header != null) {
            s.append(", header ").append(header);
        }
        if (defaultPlan >= 0) {
            s.append(", default ").append(plans.get(defaultPlan).name());
        }
        return s.toString();
    }

    /** A declared list as a map key by identity: declared lists are deployment constants. */
    private static final class Identity {
        private final Object list;

        Identity(Object list) {
            this.list = list;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Identity i && i.list == list;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(list);
        }
    }
}
