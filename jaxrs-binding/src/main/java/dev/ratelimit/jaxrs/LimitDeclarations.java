package dev.ratelimit.jaxrs;

import dev.ratelimit.core.RateLimitExempt;
import dev.ratelimit.core.RateLimited;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.function.BiFunction;

/**
 * Finds the {@link RateLimited} annotations that apply to a resource method, or its {@link RateLimitExempt}, following
 * JAX-RS annotation inheritance (Jakarta REST spec, section 3.6) and extending it to class-level limits. The nearest
 * declaration wins, whether it limits or exempts, and the annotations of that one declaration are all the limits of
 * the method (none when it exempts):
 * <ol>
 *   <li>the method itself;</li>
 *   <li>the methods it overrides, in its superclasses, nearest first;</li>
 *   <li>the interface methods it implements (of the resource class's interfaces, its superclasses' and the interfaces
 *       they extend), the most specific ones: an interface's declaration hides one of an interface it extends;</li>
 *   <li>the resource class;</li>
 *   <li>its superclasses, nearest first (abstract ones too);</li>
 *   <li>the interface types it implements, the most specific ones, as for methods.</li>
 * </ol>
 * Two equally near interface declarations that differ (two unrelated interfaces declaring different limits, or one
 * limits and one exempts) are an error: which one applies is not guessed; so is one method or class that is both
 * {@code @RateLimitExempt} and {@code @RateLimited}. A method overrides another when they have the same name and the same
 * parameter types after the resource class's type arguments are substituted ({@code create(String)} implements
 * {@code Creator<T>.create(T)} in a class implementing {@code Creator<String>}), as in Java.
 *
 * <p>Reflection at deployment only: the bindings cache what this finds per resource method.
 */
final class LimitDeclarations {

    private LimitDeclarations() {
    }

    /**
     * The annotations of the nearest declaration, and where they were found.
     *
     * @param annotations the limits, in declaration order; empty when the method is unlimited or exempt
     * @param declaredOn  the method ({@code com.acme.Api#get()}) or the class ({@code class com.acme.Api}) that
     *                    declares them; empty when unlimited
     * @param onMethod    whether a method (the resource method or one it overrides or implements) declares them
     * @param exempt      whether the nearest declaration is a {@link RateLimitExempt}
     */
    record Declaration(List<RateLimited> annotations, String declaredOn, boolean onMethod, boolean exempt) {

        static final Declaration NONE = new Declaration(List.of(), "", false, false);

        /** {@return whether nothing is declared: neither a limit nor an exemption} */
        boolean isEmpty() {
            return annotations.isEmpty() && !exempt;
        }

        /** What is declared, to compare two declarations: the limits, or the exemption. */
        Object what() {
            return exempt ? RateLimitExempt.class : annotations;
        }
    }

    /**
     * The limits of a resource method, or its exemption.
     *
     * @param resourceClass the class whose instance handles the request (may be a subclass of the method's class)
     * @param method        the Java method Jersey invokes
     * @return the nearest declaration, or {@link Declaration#NONE}
     * @throws IllegalArgumentException when two equally near interface declarations differ, or when one method or
     *                                  class is both {@code @RateLimitExempt} and {@code @RateLimited}
     */
    static Declaration find(Class<?> resourceClass, Method method) {
        declared(resourceClass); // the resource class is checked for both annotations even when its methods decide
        Declaration onMethod = onMethod(resourceClass, method);
        return onMethod.isEmpty() ? onClass(resourceClass) : onMethod;
    }

    /** Steps 1 to 3: the method, the methods it overrides, the interface methods it implements. */
    static Declaration onMethod(Class<?> resourceClass, Method method) {
        Declaration own = declared(method);
        if (own != null) {
            return own;
        }
        Map<TypeVariable<?>, Type> typeArguments = typeArguments(resourceClass);
        for (Class<?> c = method.getDeclaringClass().getSuperclass(); c != null && c != Object.class;
                c = c.getSuperclass()) {
            Method overridden = overridden(c, method, typeArguments);
            if (overridden != null) {
                Declaration inherited = declared(overridden);
                if (inherited != null) {
                    return inherited;
                }
            }
        }
        List<Declaration> declaring = new ArrayList<>(2);
        List<Class<?>> owners = new ArrayList<>(2);
        for (Class<?> type : interfaces(resourceClass, method.getDeclaringClass())) {
            Method implemented = overridden(type, method, typeArguments);
            Declaration declaration = implemented == null || implemented.equals(method) ? null : declared(implemented);
            if (declaration != null) {
                declaring.add(declaration);
                owners.add(type);
            }
        }
        Declaration nearest = mostSpecific(declaring, owners, (a, b) -> "Conflicting " + annotations(a, b) + " on "
                + a.declaredOn() + " and " + b.declaredOn() + ", both implemented by "
                + describe(resourceClass, method) + ": declare the limits that apply on "
                + describe(resourceClass, method) + " itself");
        return nearest == null ? Declaration.NONE : nearest;
    }

    /** Steps 4 to 6: the class, its superclasses, its interface types. */
    static Declaration onClass(Class<?> resourceClass) {
        for (Class<?> c = resourceClass; c != null && c != Object.class; c = c.getSuperclass()) {
            Declaration declared = declared(c);
            if (declared != null) {
                return declared;
            }
        }
        List<Declaration> declaring = new ArrayList<>(2);
        List<Class<?>> owners = new ArrayList<>(2);
        for (Class<?> type : interfaces(resourceClass, resourceClass)) {
            Declaration declaration = declared(type);
            if (declaration != null) {
                declaring.add(declaration);
                owners.add(type);
            }
        }
        Declaration nearest = mostSpecific(declaring, owners, (a, b) -> "Conflicting class-level "
                + annotations(a, b) + " on interfaces " + a.declaredOn().substring("class ".length()) + " and "
                + b.declaredOn().substring("class ".length()) + ", both implemented by " + resourceClass.getName()
                + ": declare the limits that apply on " + resourceClass.getName() + " itself");
        return nearest == null ? Declaration.NONE : nearest;
    }

    /** What a method declares itself: its limits, its exemption, or null for neither. */
    private static Declaration declared(Method method) {
        return declared(method.getAnnotationsByType(RateLimited.class),
                method.isAnnotationPresent(RateLimitExempt.class), describe(method), true);
    }

    /** What a class or interface declares itself (not what it inherits): its limits, its exemption, or null. */
    private static Declaration declared(Class<?> type) {
        return declared(type.getDeclaredAnnotationsByType(RateLimited.class),
                type.getDeclaredAnnotation(RateLimitExempt.class) != null, "class " + type.getName(), false);
    }

    private static Declaration declared(RateLimited[] limits, boolean exempt, String where, boolean onMethod) {
        if (exempt && limits.length > 0) {
            throw new IllegalArgumentException("@RateLimitExempt and @RateLimited on " + where + ": it is either "
                    + "exempt from rate limits or limited, not both; remove one of them");
        }
        if (exempt) {
            return new Declaration(List.of(), where, onMethod, true);
        }
        return limits.length == 0 ? null : new Declaration(List.of(limits), where, onMethod, false);
    }

    /** The annotations two conflicting declarations use, for the message. */
    private static String annotations(Declaration a, Declaration b) {
        return a.exempt() || b.exempt() ? "@RateLimitExempt and @RateLimited" : "@RateLimited";
    }

    /**
     * The declarations left when those of an interface that another candidate's interface extends are dropped; the one
     * left, or the first when all left declare the same (the same limits, or both the exemption).
     *
     * @param candidates the declarations
     * @param owners     the interface declaring each, at the same index
     */
    private static Declaration mostSpecific(List<Declaration> candidates, List<Class<?>> owners,
            BiFunction<Declaration, Declaration, String> conflict) {
        List<Declaration> left = new ArrayList<>(candidates.size());
        for (int i = 0; i < candidates.size(); i++) {
            boolean hidden = false;
            for (int j = 0; j < candidates.size(); j++) {
                hidden |= j != i && owners.get(i) != owners.get(j) && owners.get(i).isAssignableFrom(owners.get(j));
            }
            if (!hidden) {
                left.add(candidates.get(i));
            }
        }
        for (Declaration other : left) {
            if (!other.what().equals(left.get(0).what())) {
                throw new IllegalArgumentException(conflict.apply(left.get(0), other));
            }
        }
        return left.isEmpty() ? null : left.get(0);
    }

    /**
     * The interfaces of {@code resourceClass}, of its superclasses and of {@code from} (the method's declaring class,
     * when it is an interface), each followed later by the interfaces it extends: those of the class before those of
     * its superclasses.
     */
    private static Set<Class<?>> interfaces(Class<?> resourceClass, Class<?> from) {
        Set<Class<?>> all = new LinkedHashSet<>();
        List<Class<?>> queue = new ArrayList<>();
        for (Class<?> c = resourceClass; c != null; c = c.getSuperclass()) {
            queue.addAll(Arrays.asList(c.getInterfaces()));
        }
        if (from.isInterface()) {
            queue.add(from);
        }
        for (int i = 0; i < queue.size(); i++) {
            if (all.add(queue.get(i))) {
                queue.addAll(Arrays.asList(queue.get(i).getInterfaces()));
            }
        }
        return all;
    }

    /** The method of {@code type} that {@code method} overrides or implements, or null. */
    private static Method overridden(Class<?> type, Method method, Map<TypeVariable<?>, Type> typeArguments) {
        for (Method candidate : type.getDeclaredMethods()) {
            if (candidate.getName().equals(method.getName())
                    && candidate.getParameterCount() == method.getParameterCount()
                    && !candidate.isBridge() && !candidate.isSynthetic()
                    && !Modifier.isStatic(candidate.getModifiers()) && !Modifier.isPrivate(candidate.getModifiers())
                    && visible(candidate, method) && sameParameters(candidate, method, typeArguments)) {
                return candidate;
            }
        }
        return null;
    }

    /** Whether {@code method} can override {@code candidate}: package-private methods only within their package. */
    private static boolean visible(Method candidate, Method method) {
        int modifiers = candidate.getModifiers();
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers)
                || candidate.getDeclaringClass().getPackageName().equals(method.getDeclaringClass().getPackageName());
    }

    private static boolean sameParameters(Method a, Method b, Map<TypeVariable<?>, Type> typeArguments) {
        Type[] pa = a.getGenericParameterTypes();
        Type[] pb = b.getGenericParameterTypes();
        if (pa.length != pb.length) { // a method whose generic signature is unavailable: compare the erasures
            return Arrays.equals(a.getParameterTypes(), b.getParameterTypes());
        }
        for (int i = 0; i < pa.length; i++) {
            if (erasure(pa[i], typeArguments) != erasure(pb[i], typeArguments)) {
                return false;
            }
        }
        return true;
    }

    /** The type variables of the resource class's supertypes, bound to what the resource class's hierarchy gives. */
    private static Map<TypeVariable<?>, Type> typeArguments(Class<?> resourceClass) {
        Map<TypeVariable<?>, Type> arguments = new HashMap<>();
        List<Type> queue = new ArrayList<>();
        queue.add(resourceClass);
        Set<Class<?>> seen = new LinkedHashSet<>();
        for (int i = 0; i < queue.size(); i++) {
            Type type = queue.get(i);
            Class<?> raw;
            if (type instanceof ParameterizedType) {
                ParameterizedType parameterized = (ParameterizedType) type;
                raw = (Class<?>) parameterized.getRawType();
                TypeVariable<?>[] variables = raw.getTypeParameters();
                Type[] actual = parameterized.getActualTypeArguments();
                for (int v = 0; v < variables.length && v < actual.length; v++) {
                    arguments.putIfAbsent(variables[v], actual[v]);
                }
            } else if (type instanceof Class) {
                raw = (Class<?>) type;
            } else {
                continue;
            }
            if (seen.add(raw)) {
                if (raw.getGenericSuperclass() != null) {
                    queue.add(raw.getGenericSuperclass());
                }
                queue.addAll(Arrays.asList(raw.getGenericInterfaces()));
            }
        }
        return arguments;
    }

    /** The class a type erases to once the resource class's type arguments are substituted. */
    private static Class<?> erasure(Type type, Map<TypeVariable<?>, Type> typeArguments) {
        Type t = type;
        for (int hops = 0; t instanceof TypeVariable && typeArguments.containsKey(t) && hops < 64; hops++) {
            t = typeArguments.get(t);
        }
        if (t instanceof Class) {
            return (Class<?>) t;
        }
        if (t instanceof ParameterizedType) {
            return erasure(((ParameterizedType) t).getRawType(), typeArguments);
        }
        if (t instanceof GenericArrayType) {
            return erasure(((GenericArrayType) t).getGenericComponentType(), typeArguments).arrayType();
        }
        if (t instanceof TypeVariable) {
            Type[] bounds = ((TypeVariable<?>) t).getBounds();
            return bounds.length == 0 ? Object.class : erasure(bounds[0], typeArguments);
        }
        if (t instanceof WildcardType) {
            Type[] upper = ((WildcardType) t).getUpperBounds();
            return upper.length == 0 ? Object.class : erasure(upper[0], typeArguments);
        }
        return Object.class;
    }

    /** {@code com.acme.Api#get(String)}: a method where its class declares it. */
    static String describe(Method method) {
        return describe(method.getDeclaringClass(), method);
    }

    /**
     * {@code com.acme.Impl#get(String)}: a method as a class has it. Parameter types are given by their simple names,
     * or by their full names when the class has another method of that name whose simple names are the same.
     */
    static String describe(Class<?> type, Method method) {
        boolean qualified = false;
        String simple = parameters(method, false);
        for (Method other : methodsOf(type)) {
            if (other.getName().equals(method.getName()) && !other.isBridge()
                    && !Arrays.equals(other.getParameterTypes(), method.getParameterTypes())
                    && parameters(other, false).equals(simple)) {
                qualified = true;
                break;
            }
        }
        return type.getName() + "#" + method.getName() + (qualified ? parameters(method, true) : simple);
    }

    private static List<Method> methodsOf(Class<?> type) {
        List<Method> methods = new ArrayList<>(Arrays.asList(type.getMethods()));
        methods.addAll(Arrays.asList(type.getDeclaredMethods()));
        return methods;
    }

    private static String parameters(Method method, boolean qualified) {
        StringJoiner joined = new StringJoiner(",", "(", ")");
        for (Class<?> parameter : method.getParameterTypes()) {
            joined.add(qualified ? parameter.getTypeName() : parameter.getSimpleName());
        }
        return joined.toString();
    }
}
