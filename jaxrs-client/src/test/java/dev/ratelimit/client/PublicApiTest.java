package dev.ratelimit.client;

import dev.ratelimit.testing.PublicApi;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** ratelimit-jaxrs-client exports exactly the types docs/public-api.md lists for it. */
class PublicApiTest {

    @Test
    void clientExportsExactlyThePublicApi() throws IOException {
        PublicApi.check("ratelimit-jaxrs-client");
    }
}
