package dev.ratelimit.jaxrs;

import dev.ratelimit.testing.PublicApi;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** ratelimit-jaxrs exports exactly the types docs/public-api.md lists for it. */
class PublicApiTest {

    @Test
    void jaxrsBindingExportsExactlyThePublicApi() throws IOException {
        PublicApi.check("ratelimit-jaxrs");
    }
}
