package dev.ratelimit.jaxrs;

import jakarta.ws.rs.core.Application;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.servlet.ServletContainer;
import org.glassfish.jersey.test.DeploymentContext;
import org.glassfish.jersey.test.JerseyTest;
import org.glassfish.jersey.test.ServletDeploymentContext;
import org.glassfish.jersey.test.grizzly.GrizzlyWebTestContainerFactory;
import org.glassfish.jersey.test.spi.TestContainerFactory;

/**
 * A Jersey Test Framework test running the application in a real (Grizzly) servlet container on a free port, so the
 * filter sees a servlet request with a peer address, as in Jetty or Tomcat. {@link JerseyTest} starts and stops the
 * container around each JUnit 5 test.
 */
abstract class JerseyServletTest extends JerseyTest {

    /** The application under test. */
    protected abstract ResourceConfig application();

    @Override
    protected final Application configure() {
        return application();
    }

    @Override
    protected TestContainerFactory getTestContainerFactory() {
        return new GrizzlyWebTestContainerFactory();
    }

    @Override
    protected DeploymentContext configureDeployment() {
        forceSet(org.glassfish.jersey.test.TestProperties.CONTAINER_PORT, "0");
        return ServletDeploymentContext.forServlet(new ServletContainer(application())).build();
    }
}
