package dev.ratelimit.jaxrs;

import dev.ratelimit.bindingcontract.BindingContract;
import dev.ratelimit.bindingcontract.ContractRejections;
import dev.ratelimit.bindingcontract.ContractRulesResolver;
import dev.ratelimit.bindingcontract.TenantKeyResolver;
import dev.ratelimit.core.RateLimiter;
import dev.ratelimit.http.KeyResolver;
import dev.ratelimit.http.RejectionHandler;
import dev.ratelimit.http.RulesResolver;
import jakarta.servlet.ServletException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.glassfish.hk2.utilities.binding.AbstractBinder;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.servlet.ServletContainer;
import org.glassfish.jersey.test.ServletDeploymentContext;
import org.glassfish.jersey.test.grizzly.GrizzlyWebTestContainerFactory;
import org.glassfish.jersey.test.spi.TestContainer;

/**
 * The binding contract for the JAX-RS binding: the catalogue as {@code @RateLimited} resources
 * ({@link ContractResources}) with {@link RateLimitFeature}, in Jersey's servlet container on a real Grizzly HTTP
 * server (a free port, context path {@code /app}), so the binding sees servlet requests with a peer address as in
 * Jetty or Tomcat. The settings are application properties ({@code ResourceConfig#property}); the limiter and the
 * {@link TenantKeyResolver}, {@link ContractRejections} and (when asked) {@link ContractRulesResolver} are bound in an
 * HK2 binder. Runs on Jersey 3.1 and 4.0 (the two surefire executions).
 * Grizzly starts the servlet at its first request, so {@code deploy} sends one outside the catalogue and fails when
 * the servlet could not start (an invalid setting).
 */
class JaxrsBindingContractTest extends BindingContract {

    private TestContainer container;

    @Override
    protected URI deploy(Map<String, String> settings, RateLimiter limiter) throws Exception {
        ContractResources.INVOCATIONS.set(0);
        ResourceConfig application = new ResourceConfig(ContractResources.One.class,
                ContractResources.Catalogue.class, ContractResources.TestAuthentication.class)
                .register(RateLimitFeature.class)
                .register(new AbstractBinder() {
                    @Override
                    protected void configure() {
                        if (limiter != null) {
                            bind(limiter).to(RateLimiter.class);
                        }
                        bind(new TenantKeyResolver()).to(KeyResolver.class);
                        bind(new ContractRejections()).to(RejectionHandler.class);
                        if ("true".equals(settings.get(APPLICATION_RULES_RESOLVER))) {
                            bind(new ContractRulesResolver()).to(RulesResolver.class);
                        }
                    }
                });
        settings.forEach(application::property);
        if ("true".equals(settings.get(ADMIN))) {
            application.register(RateLimitAdminResource.class);
        }
        InitRecordingContainer servlet = new InitRecordingContainer(application);
        container = new GrizzlyWebTestContainerFactory().create(URI.create("http://127.0.0.1:0/"),
                ServletDeploymentContext.forServlet(servlet).contextPath("app").build());
        container.start();
        String base = container.getBaseUri().toString();
        URI root = URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
        // Grizzly starts the Jersey servlet at its first request, not at deployment as a servlet with load-on-startup
        // would be: a request outside the catalogue starts it, and a failed start fails the deployment
        HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(root + "/not-in-the-catalogue")).build(),
                HttpResponse.BodyHandlers.discarding());
        if (servlet.failure != null) {
            throw new IllegalStateException("the Jersey servlet failed to start", servlet.failure);
        }
        return root;
    }

    /** Jersey's servlet, remembering why its initialisation failed. */
    private static final class InitRecordingContainer extends ServletContainer {
        private static final long serialVersionUID = 1L;
        private transient volatile Throwable failure;

        InitRecordingContainer(ResourceConfig application) {
            super(application);
        }

        @Override
        public void init() throws ServletException {
            try {
                super.init();
            } catch (ServletException | RuntimeException e) {
                failure = e;
                throw e;
            }
        }
    }

    @Override
    protected void undeploy() {
        container.stop();
    }

    @Override
    protected int invocations() {
        return ContractResources.INVOCATIONS.get();
    }
}
