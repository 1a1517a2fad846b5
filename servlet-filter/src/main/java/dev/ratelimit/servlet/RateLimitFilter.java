package dev.ratelimit.servlet;

import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.internal.http.RequestDecider;
import dev.ratelimit.http.KeyResolver;
import dev.ratelimit.http.Rejection;
import dev.ratelimit.http.RejectionHandler;
import dev.ratelimit.http.RulesResolver;
import dev.ratelimit.internal.http.PlanRules;
import dev.ratelimit.internal.http.RateLimitHeaders;
import dev.ratelimit.internal.config.ApplicationLimiter;
import dev.ratelimit.internal.config.LiveOverrides;
import dev.ratelimit.internal.http.StatusCondition;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import dev.ratelimit.internal.config.RateLimitSettings;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A servlet filter enforcing the rate limits declared in its {@code init-param}s on the requests mapped to it, with
 * the same keys, headers, {@code 429}/{@code 503} problem responses and shadow mode as the JAX-RS binding (both call
 * the same request-path code in the core).
 *
 * <pre>{@code
 * <filter>
 *   <filter-name>api-limit</filter-name>
 *   <filter-class>dev.ratelimit.servlet.RateLimitFilter</filter-class>
 *   <async-supported>true</async-supported>
 *   <init-param><param-name>limit</param-name><param-value>100</param-value></init-param>
 *   <init-param><param-name>window</param-name><param-value>1m</param-value></init-param>
 * </filter>
 * <filter-mapping><filter-name>api-limit</filter-name><url-pattern>/legacy/*</url-pattern></filter-mapping>
 * }</pre>
 *
 * Rule parameters are named like the {@code @RateLimited} attributes and numbered ({@code limit.1}, {@code limit.2},
 * …) for several limits; global settings are {@code context-param}s. A web application has one limiter, shared by
 * all its filters and its JAX-RS application, created by the first of them to start and closed with the last; it is
 * published in the context attribute {@link #LIMITER_ATTRIBUTE}. Invalid parameters fail {@code init}, naming the filter, parameter and value.
 *
 * <p>Declare it {@code async-supported} (as above, or {@code setAsyncSupported(true)} on a programmatic
 * registration): otherwise every servlet behind it that calls {@code startAsync()} fails. A client request is decided
 * once per filter, on the first dispatch through it that is a {@code REQUEST}, {@code FORWARD} or {@code ASYNC}; later
 * dispatches of the same request pass uncounted and unrefused with that decision's headers, and {@code INCLUDE} and
 * {@code ERROR} dispatches are never counted. {@code OPTIONS} requests pass uncounted and without headers unless
 * {@code ratelimit.count-options} is true. Requests of exempt clients ({@code ratelimit.exempt.networks},
 * {@code .principals}, {@code .roles}, context-wide or per filter) pass uncounted and without headers. A response that
 * carries rate-limit headers is {@code Cache-Control: private}, whatever the servlet sets. Each request's rules come
 * from the {@link dev.ratelimit.http.RulesResolver} named by the init-param {@code rulesResolver}, else from the plan
 * table of the settings ({@code ratelimit.plans.*}, see {@code docs/plans.md}), else as declared. See
 * {@code docs/servlet-filter.md}.
 */
public final class RateLimitFilter implements Filter {

    /**
     * The servlet context attribute holding the web application's {@link dev.ratelimit.core.RateLimiter}: the one
     * the rate-limit bindings share (readable by the application, e.g. for a health page), or the application's own
     * if it put one there before the filters are initialised (e.g. from a {@code ServletContextListener}); the
     * bindings then use that and never close it.
     */
    public static final String LIMITER_ATTRIBUTE = ApplicationLimiter.LIMITER_ATTRIBUTE;

    /**
     * The servlet context attribute where an application may put the {@link dev.ratelimit.metrics.RateLimitMetrics}
     * that both bindings report to (e.g.
     * {@code MicrometerMetrics.of(registry)}); without it, Micrometer's global registry if Micrometer is present and
     * {@code ratelimit.metrics.enabled} is not false.
     */
    public static final String METRICS_ATTRIBUTE = ApplicationLimiter.METRICS_ATTRIBUTE;

    private static final Logger LOG = LoggerFactory.getLogger(RateLimitFilter.class);

    /**
     * The request attribute, followed by the filter's name and identity, in which a filter records that it has decided
     * a request, so that later dispatches of that request through it (ASYNC, FORWARD, ERROR) are not counted again.
     */
    private static final String DECIDED_ATTRIBUTE_PREFIX = RateLimitFilter.class.getName() + ".decided:";

    private volatile State state;
    private final AtomicBoolean includeReported = new AtomicBoolean();

    /** What {@code init} fixed: the filter's rules and the request-path logic around the limiter. */
    private record State(String filterName, List<RateLimitRule> rules, KeyResolver keyResolver,
                         RejectionHandler rejections, RulesResolver rulesResolver, RequestDecider http, boolean countOptions,
                         ApplicationLimiter limiter, LiveOverrides live, String decidedAttribute,
                         Map<String, StatusCondition> countWhen) {
    }

    /**
     * A request attribute's value: {@code filter} decided the request, with these headers, and let it through or not.
     * (The filter is compared too, in case a cross-context dispatch meets a filter of the same name.)
     */
    private record Decided(RateLimitFilter filter, List<RateLimitHeaders.Header> headers, boolean rejected) {
    }

    @Override
    public void init(FilterConfig config) throws ServletException {
        ServletContext context = config.getServletContext();
        String filterName = config.getFilterName();
        FilterSettings parsed;
        KeyResolver keyResolver;
        RejectionHandler rejections;
        RulesResolver rulesResolver;
        RateLimitSettings settings;
        List<RateLimitRule> rules;
        try {
            parsed = FilterSettings.parse(filterName, Collections.list(config.getInitParameterNames()),
                    config::getInitParameter);
            keyResolver = parsed.newKeyResolver(classLoader());
            rejections = parsed.newRejectionHandler(classLoader());
            settings = loadSettings(filterName, perFilter(parsed.overrides(), context));
            try {
                rules = settings.overrides().apply(parsed.rules());
            } catch (IllegalArgumentException e) {
                throw FilterSettings.error(filterName, e.getMessage());
            }
            PlanRules plans = settings.plans();
            if (plans != null) {
                // reads and checks the plans' values for this filter's rules now, used or not
                try {
                    if (!rules.isEmpty()) {
                        plans.prepare(rules);
                    }
                } catch (IllegalArgumentException e) {
                    throw FilterSettings.error(filterName, e.getMessage());
                }
            }
            rulesResolver = parsed.newRulesResolver(classLoader());
            if (rulesResolver == null) {
                rulesResolver = plans;
            }
        } catch (IllegalArgumentException e) {
            throw new ServletException(e.getMessage());
        }

        ApplicationLimiter limiter;
        LiveOverrides live;
        // the limiter's and the rules file's settings are the web application's: a filter cannot override them
        RateLimitSettings shared;
        ApplicationLimiter.Attributes attributes = ApplicationLimiter.Attributes.ofServletContext(
                context::getAttribute, context::setAttribute, context::removeAttribute, context.getContextPath());
        try {
            shared = loadSettings(filterName, context::getInitParameter);
            limiter = ApplicationLimiter.acquire(attributes, shared, shared.metrics(),
                    "rate-limit filter '" + filterName + "'");
        } catch (IllegalArgumentException e) {
            throw new ServletException(e.getMessage());
        } catch (IllegalStateException e) {
            throw new ServletException(FilterSettings.error(filterName, e.getMessage()).getMessage());
        } catch (RuntimeException e) {
            throw new ServletException("Rate-limit filter '" + filterName + "': cannot create the rate limiter", e);
        }
        try {
            live = LiveOverrides.acquire(attributes, shared);
        } catch (RuntimeException e) {
            limiter.release();
            throw new ServletException(FilterSettings.error(filterName, e.getMessage()).getMessage());
        }
        try {
            if (!rules.isEmpty()) {
                PlanRules plans = settings.plans();
                live.register("filter '" + filterName + "'", rules, plans == null ? list -> { } : plans::prepare);
            }
        } catch (IllegalArgumentException e) {
            live.release();
            limiter.release();
            throw new ServletException(FilterSettings.error(filterName, e.getMessage()).getMessage());
        }
        state = new State(filterName, rules, keyResolver, rejections, rulesResolver,
                settings.requestDecider(limiter.limiter(), limiter.metrics(), live), settings.countOptions(), limiter,
                live, DECIDED_ATTRIBUTE_PREFIX + filterName + '@' + Integer.toHexString(System.identityHashCode(this)),
                countWhen(parsed));
        // the filter's own rules resolver is named by its settings (parsed); the plan table, when it is used, here
        List<RateLimitRule> now = live.current(rules);
        LOG.info("Rate-limit filter '{}': {}{}{}; headers {}, shadow {}, OPTIONS {}, {}, exempt {}{}; {}", filterName,
                parsed, rules == parsed.rules() ? "" : rules.isEmpty() ? " (every limit disabled by ratelimit.rules.*)"
                        : " (overridden by ratelimit.rules.*: " + rules + ")",
                now == rules ? "" : now.isEmpty() ? " (every limit disabled by the " + live + " now)"
                        : " (counting under " + now + " from the " + live + " now)",
                settings.headerStyle(), settings.shadow(), settings.countOptions() ? "counted" : "not counted",
                settings.requestKeys(), settings.exemptions(),
                rulesResolver != null && rulesResolver == settings.plans()
                        ? ", rules per request from the " + rulesResolver : "",
                limiter.applicationsOwn() ? "the application's own limiter (" + LIMITER_ATTRIBUTE + ")"
                        : "the web application's shared limiter (" + limiter.users() + " user(s))");
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!(request instanceof HttpServletRequest) || !(response instanceof HttpServletResponse)) {
            chain.doFilter(request, response);
            return;
        }
        State s = state;
        if (s == null) {
            throw new ServletException("RateLimitFilter used before init() or after destroy()");
        }
        HttpServletRequest httpRequest = (HttpServletRequest) request;
        HttpServletResponse httpResponse = (HttpServletResponse) response;
        if (s.rules().isEmpty()) {
            chain.doFilter(request, response); // every limit of this filter is disabled by ratelimit.rules.*
            return;
        }
        if (!s.countOptions() && "OPTIONS".equals(httpRequest.getMethod())) {
            chain.doFilter(request, response); // CORS preflights, sent by browsers on their own, cost nothing
            return;
        }
        String decidedAttribute = s.decidedAttribute();
        if (request.getAttribute(decidedAttribute) instanceof Decided decided && decided.filter() == this) {
            // a later dispatch (ASYNC, FORWARD, ERROR, INCLUDE) of a request this filter has decided: not counted again
            if (decided.rejected()) {
                return;
            }
            if (!httpResponse.isCommitted()) {
                setHeaders(httpResponse, decided.headers()); // again, in case an error dispatch reset the response
            }
            chain.doFilter(request, decided.headers().isEmpty() ? response : new PrivateResponse(httpResponse));
            return;
        }
        DispatcherType dispatch = request.getDispatcherType();
        if (dispatch == DispatcherType.INCLUDE || dispatch == DispatcherType.ERROR) {
            // an included resource can set neither status nor headers, and an error page answers a request that was
            // either decided already (above) or not limited by this filter: neither is counted nor refused
            if (dispatch == DispatcherType.INCLUDE && includeReported.compareAndSet(false, true)) {
                LOG.warn("Rate-limit filter '{}' is mapped to INCLUDE dispatches, which it neither counts nor refuses "
                        + "(an included resource cannot set the status or headers of the response); {} was included "
                        + "by {}, which this filter has not decided. Limit the including request instead. (Logged "
                        + "once.)", s.filterName(), request.getAttribute("jakarta.servlet.include.request_uri"),
                        httpRequest.getRequestURI());
            }
            chain.doFilter(request, response);
            return;
        }
        RequestDecider.Verdict verdict = s.http().check(s.rules(), new ServletRequestView(httpRequest),
                s.rulesResolver(), s.keyResolver(), s.rejections(), httpRequest.getRequestURI());
        request.setAttribute(decidedAttribute, new Decided(this, verdict.headers(), verdict.reject()));
        setHeaders(httpResponse, verdict.headers());
        if (!verdict.reject()) {
            chain.doFilter(request, verdict.headers().isEmpty() ? response : new PrivateResponse(httpResponse));
            if (!s.countWhen().isEmpty()) {
                completed(s, verdict, request, httpResponse);
            }
            return;
        }
        if (httpResponse.isCommitted()) {
            return; // an earlier filter already answered: all that is left is not to run the rest of the chain
        }
        Rejection rejection = verdict.rejection();
        byte[] body = rejection.body().getBytes(StandardCharsets.UTF_8);
        httpResponse.setStatus(rejection.status());
        httpResponse.setContentType(rejection.contentType());
        httpResponse.setContentLength(body.length);
        httpResponse.getOutputStream().write(body);
    }

    /**
     * Sets the rate-limit headers, and with them {@code Cache-Control: private}: they are one client's, so no shared
     * cache may serve the response to another.
     */
    private static void setHeaders(HttpServletResponse response, List<RateLimitHeaders.Header> headers) {
        if (headers.isEmpty()) {
            return;
        }
        for (RateLimitHeaders.Header header : headers) {
            response.setHeader(header.name(), header.value());
        }
        PrivateResponse.makePrivate(response);
    }

    /**
     * After the response: the permits of a response that does not count ({@code countWhen}) go back; for an async
     * request once it completes.
     */
    private static void completed(State s, RequestDecider.Verdict verdict, ServletRequest request,
            HttpServletResponse response) {
        if (!request.isAsyncStarted()) {
            s.http().completed(verdict, s.countWhen(), response.getStatus());
            return;
        }
        request.getAsyncContext().addListener(new AsyncListener() {
            @Override
            public void onComplete(AsyncEvent event) {
                s.http().completed(verdict, s.countWhen(), response.getStatus());
            }

            @Override
            public void onTimeout(AsyncEvent event) {
                // completes next
            }

            @Override
            public void onError(AsyncEvent event) {
                // completes next
            }

            @Override
            public void onStartAsync(AsyncEvent event) {
                // still the same request
            }
        });
    }

    /** The filter's {@code countWhen} for each of its rules' names; empty when every response counts. */
    private static Map<String, StatusCondition> countWhen(FilterSettings parsed) {
        StatusCondition when = parsed.countWhen();
        if (when == null) {
            return Map.of();
        }
        Map<String, StatusCondition> byName = new HashMap<>();
        for (RateLimitRule rule : parsed.rules()) {
            byName.put(rule.name(), when);
        }
        return Map.copyOf(byName);
    }

    @Override
    public void destroy() {
        State s = state;
        state = null;
        if (s != null) {
            s.live().release();
            s.limiter().release();
        }
    }

    /** The settings this filter sees: its own init-params for the per-filter settings, else the context's. */
    private static Function<String, String> perFilter(Map<String, String> overrides, ServletContext context) {
        return name -> {
            String own = overrides.get(name);
            return own != null ? own : context.getInitParameter(name);
        };
    }

    /** System properties > environment > {@code params}; an invalid value is reported with the filter's name. */
    private static RateLimitSettings loadSettings(String filterName, Function<String, String> params) {
        try {
            return RateLimitSettings.load(params);
        } catch (IllegalArgumentException e) {
            throw FilterSettings.error(filterName, e.getMessage());
        }
    }

    private static ClassLoader classLoader() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        return loader != null ? loader : RateLimitFilter.class.getClassLoader();
    }
}
