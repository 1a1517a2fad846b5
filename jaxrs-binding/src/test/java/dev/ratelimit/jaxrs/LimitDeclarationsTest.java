package dev.ratelimit.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.RateLimited;
import java.lang.reflect.Method;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The inheritance rule of {@link LimitDeclarations} and the default names of {@link ResourceLimits}, without Jersey. */
class LimitDeclarationsTest {

    interface Root {
        @RateLimited(limit = 1, window = "1m", name = "root")
        String get();
    }

    /** Extends {@link Root} and declares the method again with a limit of its own: the nearer one. */
    interface Refined extends Root {
        @Override
        @RateLimited(limit = 2, window = "1m", name = "refined")
        String get();
    }

    static class ImplementsBoth implements Root, Refined {
        @Override
        public String get() {
            return "";
        }
    }

    /** A generic chain: {@code Middle<E>} passes its argument on to {@code Store<T>}. */
    interface Store<T> {
        @RateLimited(limit = 3, window = "1m", name = "store")
        void put(T value, List<T> more);
    }

    abstract static class Middle<E extends Number> implements Store<E> {
    }

    static class IntegerStore extends Middle<Integer> {
        @Override
        public void put(Integer value, List<Integer> more) {
        }

        /** An overload that does not implement {@code Store.put}. */
        public void put(String value, List<Integer> more) {
        }
    }

    /** Two overloads whose parameter types have the same simple name. */
    static class SameSimpleNames {
        public void find(java.util.Date date) {
        }

        public void find(java.sql.Date date) {
        }
    }

    @RateLimited(limit = 4, window = "1m", name = "base")
    abstract static class ClassLimitedBase {
    }

    @RateLimited(limit = 5, window = "1m", name = "marker")
    interface Marker {
    }

    static class Both extends ClassLimitedBase implements Marker {
        public void get() {
        }
    }

    private static Method method(Class<?> type, String name, Class<?>... parameters) throws NoSuchMethodException {
        return type.getDeclaredMethod(name, parameters);
    }

    private static String name(LimitDeclarations.Declaration declaration) {
        return declaration.annotations().get(0).name();
    }

    @Test
    void aSubInterfacesDeclarationHidesTheOneOfTheInterfaceItExtends() throws Exception {
        LimitDeclarations.Declaration found = LimitDeclarations.find(ImplementsBoth.class,
                method(ImplementsBoth.class, "get"));
        assertThat(name(found)).isEqualTo("refined");
        assertThat(found.declaredOn()).isEqualTo(Refined.class.getName() + "#get()");
        assertThat(found.onMethod()).isTrue();
    }

    @Test
    void typeArgumentsAreFollowedThroughTheHierarchy() throws Exception {
        LimitDeclarations.Declaration found = LimitDeclarations.find(IntegerStore.class,
                method(IntegerStore.class, "put", Integer.class, List.class));
        assertThat(name(found)).isEqualTo("store");
        assertThat(LimitDeclarations.find(IntegerStore.class, method(IntegerStore.class, "put", String.class,
                List.class)).isEmpty()).as("an overload implements nothing").isTrue();
    }

    @Test
    void aSuperclassDeclarationBeatsAnInterfaceTypes() throws Exception {
        LimitDeclarations.Declaration found = LimitDeclarations.find(Both.class, method(Both.class, "get"));
        assertThat(name(found)).isEqualTo("base");
        assertThat(found.declaredOn()).isEqualTo("class " + ClassLimitedBase.class.getName());
        assertThat(found.onMethod()).isFalse();
    }

    @Test
    void overloadsAreNamedByTheirParameterTypesFullyWhenSimpleNamesCollide() throws Exception {
        assertThat(LimitDeclarations.describe(IntegerStore.class,
                method(IntegerStore.class, "put", Integer.class, List.class)))
                .isEqualTo(IntegerStore.class.getName() + "#put(Integer,List)");
        assertThat(LimitDeclarations.describe(SameSimpleNames.class,
                method(SameSimpleNames.class, "find", java.sql.Date.class)))
                .isEqualTo(SameSimpleNames.class.getName() + "#find(java.sql.Date)");
    }

    @Test
    void aDefaultNameIsShortOpaqueStableAndDistinct() {
        // pinned: the name must stay the same across releases and deployments, or counters would start over
        assertThat(ResourceLimits.defaultName("com.acme.Api#search(String)")).isEqualTo("limit-bc24beea6e64");
        String longName = "com.acme." + "x".repeat(250) + "#get(String)";
        String name = ResourceLimits.defaultName(longName);
        assertThat(name).matches("limit-[0-9a-f]{12}");
        assertThat(ResourceLimits.defaultName(longName.replace("String", "Object"))).isNotEqualTo(name);
        assertThat(ResourceLimits.defaultName("com.acme.Ünïcode#get(String[])")).matches("limit-[0-9a-f]{12}");
        RateLimitRule.custom().name(name).limit(1).window("1s").build();
    }
}
