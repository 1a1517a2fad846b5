package dev.ratelimit.servlet;

import dev.ratelimit.testing.PublicApi;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** ratelimit-servlet exports exactly the types docs/public-api.md lists for it. */
class PublicApiTest {

    @Test
    void servletFilterExportsExactlyThePublicApi() throws IOException {
        PublicApi.check("ratelimit-servlet");
    }
}
