package dev.ratelimit.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.core.Application;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.glassfish.jersey.internal.Version;
import org.junit.jupiter.api.Test;

/**
 * Proves which Jersey and Jakarta APIs this run of the suite uses. The build runs the suite twice, on Jersey 3.1
 * (Jakarta EE 10, what the binding compiles against) and on Jersey 4.0 (EE 11) with the EE 10 artifacts taken off
 * the classpath; each surefire execution names the versions it expects in {@code ratelimit.test.*} system
 * properties (absent when run outside Maven: then only the classpath is checked).
 */
class JerseyRuntimeTest {

    /** The jars on the class path (the test classes and classes directories aside). */
    private static List<String> jarsOnTheClasspath() throws IOException {
        List<String> jars = new ArrayList<>();
        ClassLoader loader = JerseyRuntimeTest.class.getClassLoader();
        for (URL manifest : Collections.list(loader.getResources("META-INF/MANIFEST.MF"))) {
            if ("jar".equals(manifest.getProtocol())) {
                jars.add(((JarURLConnection) manifest.openConnection()).getJarFileURL().getPath());
            }
        }
        return jars;
    }

    /** groupId:artifactId → version, from the jars' {@code pom.properties} (so Maven-built jars only). */
    private static Map<String, String> mavenArtifactsOnTheClasspath() throws IOException {
        Map<String, String> artifacts = new TreeMap<>();
        for (String path : jarsOnTheClasspath()) {
            try (JarFile jar = new JarFile(path)) {
                for (JarEntry entry : Collections.list(jar.entries())) {
                    String name = entry.getName();
                    if (!name.startsWith("META-INF/maven/") || !name.endsWith("/pom.properties")) {
                        continue;
                    }
                    Properties pom = new Properties();
                    try (InputStream in = jar.getInputStream(entry)) {
                        pom.load(in);
                    }
                    artifacts.putIfAbsent(pom.getProperty("groupId") + ":" + pom.getProperty("artifactId"),
                            pom.getProperty("version"));
                }
            }
        }
        return artifacts;
    }

    @Test
    void runsOnTheExpectedJerseyAndJakartaApis() throws IOException {
        Map<String, String> artifacts = mavenArtifactsOnTheClasspath();
        TreeSet<String> jersey = new TreeSet<>();
        artifacts.forEach((id, version) -> {
            if (id.startsWith("org.glassfish.jersey.")) {
                jersey.add(version);
            }
        });
        String rest = Application.class.getPackage().getImplementationVersion();
        String servlet = HttpServletRequest.class.getPackage().getImplementationVersion();
        System.out.println("[jaxrs-binding tests] Jersey " + Version.getVersion() + " (artifacts " + jersey
                + "), Jakarta REST API " + rest + ", Servlet API " + servlet + ", HK2 "
                + artifacts.get("org.glassfish.hk2:hk2-locator") + ", Grizzly "
                + artifacts.get("org.glassfish.grizzly:grizzly-http-server"));

        String expectedJersey = System.getProperty("ratelimit.test.jersey.version");
        if (expectedJersey == null) {
            assertThat(System.getProperty("surefire.test.class.path"))
                    .as("under Maven, the surefire configuration names the expected versions (ratelimit.test.*)")
                    .isNull();
            return;
        }
        assertThat(Version.getVersion()).isEqualTo(expectedJersey);
        assertThat(jersey).as("versions of the org.glassfish.jersey.* artifacts").containsExactly(expectedJersey);
        assertThat(rest).isEqualTo(System.getProperty("ratelimit.test.rest-api.version"));
        assertThat(servlet).isEqualTo(System.getProperty("ratelimit.test.servlet-api.version"));
    }

    /** Two versions of one library (say JUnit 5 brought by Jersey 4 beside our JUnit 6) share class names. */
    @Test
    void noClassIsOnTheClasspathTwice() throws IOException {
        Map<String, String> firstJar = new HashMap<>();
        Map<String, String> duplicates = new TreeMap<>();
        for (String path : jarsOnTheClasspath()) {
            try (JarFile jar = new JarFile(path)) {
                for (JarEntry entry : Collections.list(jar.entries())) {
                    String name = entry.getName();
                    if (!name.endsWith(".class") || name.startsWith("META-INF/")
                            || name.endsWith("module-info.class")) {
                        continue;
                    }
                    String other = firstJar.putIfAbsent(name, path);
                    if (other != null && !other.equals(path)) {
                        duplicates.putIfAbsent(other + " and " + path, name);
                    }
                }
            }
        }
        assertThat(firstJar).as("classes found").containsKey("org/glassfish/jersey/server/ApplicationHandler.class");
        assertThat(duplicates).as("jars holding the same class (one example each)").isEmpty();
    }
}
