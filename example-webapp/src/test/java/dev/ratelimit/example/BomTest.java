package dev.ratelimit.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The BOM (bom/pom.xml) has no parent, so nothing in the build keeps it in step with the reactor: this test does. It
 * reads the POMs of the source tree (this module is the one that sits beside all the others and depends on every
 * published one) and checks that the BOM manages exactly the published modules, at the reactor's version.
 * A module is published when it packages a jar and does not set {@code maven.deploy.skip}.
 */
class BomTest {

    private static final Path ROOT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().getParent();

    @Test
    void theBomManagesExactlyThePublishedModulesAtTheReactorVersion() throws Exception {
        Element parent = read(ROOT.resolve("pom.xml"));
        String groupId = text(parent, "groupId");
        String version = text(parent, "version");

        TreeSet<String> published = new TreeSet<>();
        for (Element module : children(child(parent, "modules"), "module")) {
            Element pom = read(ROOT.resolve(module.getTextContent().trim()).resolve("pom.xml"));
            String packaging = text(pom, "packaging");
            Element properties = child(pom, "properties");
            String deploySkip = properties == null ? null : text(properties, "maven.deploy.skip");
            if ((packaging == null || packaging.equals("jar")) && !"true".equals(deploySkip)) {
                published.add(text(pom, "artifactId"));
            }
        }
        assertThat(published).contains("ratelimit-core", "ratelimit-jaxrs", "ratelimit-servlet")
                .doesNotContain("ratelimit-example-webapp");

        Element bom = read(ROOT.resolve("bom/pom.xml"));
        assertThat(child(bom, "parent")).as("the BOM must not inherit the parent's dependencyManagement").isNull();
        assertThat(text(bom, "groupId")).isEqualTo(groupId);
        assertThat(text(bom, "version")).as("the BOM's version").isEqualTo(version);
        assertThat(text(bom, "packaging")).isEqualTo("pom");
        for (String field : List.of("name", "description", "url", "licenses", "scm", "developers")) {
            assertThat(child(bom, field)).as("the BOM's " + field).isNotNull();
        }

        TreeSet<String> managed = new TreeSet<>();
        for (Element dependency : children(child(child(bom, "dependencyManagement"), "dependencies"), "dependency")) {
            assertThat(text(dependency, "groupId")).isEqualTo(groupId);
            assertThat(text(dependency, "version")).isEqualTo("${project.version}");
            assertThat(text(dependency, "type")).isNull();
            assertThat(text(dependency, "scope")).isNull();
            managed.add(text(dependency, "artifactId"));
        }
        assertThat(managed).isEqualTo(published);
    }

    private static Element read(Path pom) throws Exception {
        assertThat(pom).exists();
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        try (var in = Files.newInputStream(pom)) {
            Document document = factory.newDocumentBuilder().parse(in);
            return document.getDocumentElement();
        }
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> found = new ArrayList<>();
        if (parent != null) {
            for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n instanceof Element && ((Element) n).getTagName().equals(name)) {
                    found.add((Element) n);
                }
            }
        }
        return found;
    }

    private static Element child(Element parent, String name) {
        List<Element> found = children(parent, name);
        return found.isEmpty() ? null : found.get(0);
    }

    private static String text(Element parent, String name) {
        Element e = child(parent, name);
        return e == null ? null : e.getTextContent().trim();
    }
}
