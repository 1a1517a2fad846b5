package dev.ratelimit.example;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/** Variants of the example WAR ({@code -Dexample.war}) for tests that must deploy something else into a container. */
final class ExampleWars {

    private static final String WEB_XML = "WEB-INF/web.xml";
    private static final String API_APPLICATION = "<param-value>dev.ratelimit.example.ExampleApplication</param-value>";
    private static final String LOAD_ON_STARTUP = "<load-on-startup>1</load-on-startup>";
    /** The WAR's Tomcat configuration (Jetty ignores it). */
    static final String CONTEXT_XML = "META-INF/context.xml";

    private ExampleWars() {
    }

    /**
     * The example WAR with another JAX-RS application: {@code application} (and its nested classes, from this test's
     * class path) in {@code WEB-INF/classes}, and named as the Jersey servlet's {@code jakarta.ws.rs.Application}.
     *
     * @param application   the application class
     * @param loadOnStartup whether the Jersey servlet keeps its {@code <load-on-startup>}
     * @param contextXml    whether the WAR keeps its {@code META-INF/context.xml}
     * @param target        where to write the WAR
     * @return {@code target}
     */
    static Path withApplication(Class<?> application, boolean loadOnStartup, boolean contextXml, Path target) {
        Path war = Path.of(System.getProperty("example.war"));
        try (ZipFile original = new ZipFile(war.toFile());
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(target))) {
            boolean hadContextXml = false;
            for (Enumeration<? extends ZipEntry> entries = original.entries(); entries.hasMoreElements(); ) {
                ZipEntry entry = entries.nextElement();
                hadContextXml |= entry.getName().equals(CONTEXT_XML);
                if (entry.getName().equals(CONTEXT_XML) && !contextXml) {
                    continue;
                }
                byte[] content;
                try (InputStream in = original.getInputStream(entry)) {
                    content = in.readAllBytes();
                }
                if (entry.getName().equals(WEB_XML)) {
                    String xml = new String(content, StandardCharsets.UTF_8);
                    xml = replaceOnce(xml, API_APPLICATION, "<param-value>" + application.getName() + "</param-value>");
                    if (!loadOnStartup) {
                        xml = replaceOnce(xml, LOAD_ON_STARTUP, "");
                    }
                    content = xml.getBytes(StandardCharsets.UTF_8);
                }
                out.putNextEntry(new ZipEntry(entry.getName()));
                out.write(content);
                out.closeEntry();
            }
            if (contextXml && !hadContextXml) {
                throw new IllegalStateException(war + " has no " + CONTEXT_XML);
            }
            List<Class<?>> classes = new ArrayList<>(List.of(application));
            classes.addAll(List.of(application.getDeclaredClasses()));
            for (Class<?> type : classes) {
                String resource = type.getName().replace('.', '/') + ".class";
                try (InputStream in = ExampleWars.class.getClassLoader().getResourceAsStream(resource)) {
                    if (in == null) {
                        throw new IllegalStateException(resource + " is not on the test class path");
                    }
                    out.putNextEntry(new ZipEntry("WEB-INF/classes/" + resource));
                    out.write(in.readAllBytes());
                    out.closeEntry();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + " from " + war, e);
        }
        return target;
    }

    private static String replaceOnce(String text, String target, String replacement) {
        int at = text.indexOf(target);
        if (at < 0 || text.indexOf(target, at + 1) >= 0) {
            throw new IllegalStateException("expected exactly one '" + target + "' in the example's web.xml");
        }
        return text.substring(0, at) + replacement + text.substring(at + target.length());
    }
}
