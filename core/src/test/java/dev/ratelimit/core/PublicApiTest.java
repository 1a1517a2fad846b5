package dev.ratelimit.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.testing.PublicApi;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ratelimit-core exports exactly the types docs/public-api.md lists for it. Public so that its nested fixtures show
 * what counts as exported.
 */
public class PublicApiTest {

    @Test
    void coreExportsExactlyThePublicApi() throws IOException {
        PublicApi.check("ratelimit-core");
    }

    /** The walk counts public and protected types nested in exported ones, and nothing else. */
    @Test
    void anAccidentalExportIsFound(@TempDir Path classes) throws IOException {
        Path testClasses = Path.of(PublicApiTest.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        Path folder = Path.of("dev", "ratelimit", "core");
        Files.createDirectories(classes.resolve(folder));
        try (Stream<Path> files = Files.list(testClasses.resolve(folder))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (name.startsWith("PublicApiTest")) {
                    Files.copy(f, classes.resolve(folder).resolve(name), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        Runnable anonymous = new Runnable() {
            @Override
            public void run() {
            }
        };
        anonymous.run();

        assertThat(PublicApi.exported(classes)).containsExactly(
                "dev.ratelimit.core.PublicApiTest",
                "dev.ratelimit.core.PublicApiTest.Shown",
                "dev.ratelimit.core.PublicApiTest.Shown.NestedProtected",
                "dev.ratelimit.core.PublicApiTest.Shown.NestedShown");
    }

    /** An accidental export. */
    public static final class Shown {

        /** Exported too. */
        public static final class NestedShown {
        }

        /** Exported too: protected. */
        protected interface NestedProtected {
        }

        static final class NestedHidden {
        }
    }

    static final class Hidden {

        /** Not exported: its enclosing class is package-private. */
        public static final class PublicInHidden {
        }
    }
}
