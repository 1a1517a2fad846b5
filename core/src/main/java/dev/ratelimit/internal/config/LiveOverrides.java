package dev.ratelimit.internal.config;

import dev.ratelimit.core.Algorithm;
import dev.ratelimit.core.RateLimitRule;
import dev.ratelimit.core.RuleOverrides;
import dev.ratelimit.internal.ClientKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web application's {@link RuleOverrides}: the rules file ({@code ratelimit.rules.file}, checked every
 * {@code ratelimit.rules.file.check-interval}, 1 s by default) and the application's values, applied on top of each
 * endpoint's rules (as declared, with the {@code ratelimit.rules.*} settings). The bindings register each endpoint's
 * rule list at deployment ({@link #register}) and map it on every request ({@link #current}): one lookup by identity in
 * an immutable snapshot, rebuilt (and checked, every registered list) when the values change. Overridden rules keep
 * the declared rule's counter, so clients keep what they used. Shared by the bindings of one web application
 * through its attributes ({@link #acquire}, {@link #release}). Not API: {@link RuleOverrides} is.
 *
 * <p>The rules file holds one {@code <rule>.<field>=<value>} per line ({@code ratelimit.rules.} in front is allowed),
 * {@code #} or {@code !} starting a comment. At deployment an invalid line fails it, naming the file and line; at run
 * time an edit is checked line by line: an invalid line is logged and ignored (its key keeps its last good value), and
 * an edit whose values together make an endpoint's rules invalid is logged and rejected as a whole. A changed file is
 * applied once two checks in a row read the same content (so within two check intervals), never half-written.
 */
public final class LiveOverrides implements RuleOverrides {

    /** The setting naming the rules file. */
    public static final String FILE = "ratelimit.rules.file";
    /** The setting saying how often the rules file is checked for a change. */
    public static final String FILE_CHECK_INTERVAL = "ratelimit.rules.file.check-interval";
    /** How often the rules file is checked unless {@link #FILE_CHECK_INTERVAL} says otherwise. */
    public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofSeconds(1);

    private static final Logger LOG = LoggerFactory.getLogger(LiveOverrides.class);
    private static final Set<String> FIELDS = Set.of("limit", "window", "algorithm", "cost", "enabled");
    private static final String PREFIX = "ratelimit.rules.";
    /** Guards the attribute and the use count; taken only when a binding starts or stops. */
    private static final Object LOCK = new Object();

    private final Path file;
    private final Duration checkInterval;
    private final String application;
    /** Every registered list: where it is, and how its binding checks an effective list (e.g. the plan table). */
    private final Map<List<RateLimitRule>, Registration> registered = new IdentityHashMap<>();
    private volatile Snapshot snapshot = Snapshot.EMPTY;
    /** The rules file's last good values, by key; guarded by {@code this}. */
    private Map<String, Setting> fileValues = Map.of();
    /** The application's values, by key; guarded by {@code this}. */
    private Map<String, Setting> appValues = Map.of();
    /** The rules file's content as last applied; guarded by {@code this}. */
    private byte[] fileContent;
    /**
     * A changed content read once, applied only when the next check reads it again: an editor that truncates the file
     * and then writes it must not have the empty or half-written file applied for a moment. Guarded by {@code this}.
     */
    private byte[] pendingContent;
    private boolean fileMissingReported;
    private ScheduledExecutorService watcher;
    private int users;
    /** The application's attributes holding these overrides; set when published. */
    private ApplicationLimiter.Attributes attributes;

    LiveOverrides(Path file, Duration checkInterval, String application) {
        this.file = file;
        this.checkInterval = checkInterval;
        this.application = application;
    }

    /**
     * The application's overrides for one binding, created (and the rules file read, and watched) if no binding has
     * created them yet; counts one more user. Pair with {@link #release()}.
     *
     * @param app      the application's attributes
     * @param settings the binding's settings: they name the rules file when the overrides do not exist yet
     * @return the overrides
     * @throws IllegalArgumentException naming the file and line, when the rules file cannot be read or holds an
     *                                  invalid line
     * @throws IllegalStateException    when the attribute holds something else
     */
    public static LiveOverrides acquire(ApplicationLimiter.Attributes app, RateLimitSettings settings) {
        synchronized (LOCK) {
            Object existing = app.get().apply(ATTRIBUTE);
            if (existing instanceof LiveOverrides live) {
                synchronized (live) {
                    live.users++;
                }
                return live;
            }
            if (existing != null) {
                throw new IllegalStateException("the attribute " + ATTRIBUTE + " of " + app.name() + " holds a "
                        + existing.getClass().getName() + ", not the library's rule overrides (is the rate-limit "
                        + "library loaded twice, by the container and by the web application?)");
            }
            LiveOverrides live = settings.liveOverrides(app.name());
            live.start();
            app.set().accept(ATTRIBUTE, live);
            live.attributes = app;
            return live;
        }
    }

    /** Reads the rules file and starts watching it. */
    synchronized void start() {
        users = 1;
        if (file == null) {
            return;
        }
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(FILE + "='" + file + "': the rules file cannot be read: " + e, e);
        }
        Map<String, Setting> values = new LinkedHashMap<>();
        for (Line line : lines(content)) {
            if (line.error != null) {
                throw new IllegalArgumentException("The rules file " + file + ", line " + line.number + ": "
                        + line.error);
            }
            values.put(line.setting.name(), line.setting);
        }
        fileContent = content;
        fileValues = values;
        snapshot = build(values, appValues);
        LOG.info("Rule overrides of {} from the rules file {} (checked every {} ms): {}", application, file,
                checkInterval.toMillis(), values.isEmpty() ? "none" : texts(values));
        watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ratelimit-rules-file");
            t.setDaemon(true);
            return t;
        });
        watcher.scheduleWithFixedDelay(this::checkFile, checkInterval.toMillis(), checkInterval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /**
     * Counts one binding's use off; the last stops watching the rules file and removes the attribute. A binding calls
     * it once.
     */
    public void release() {
        synchronized (LOCK) {
            ScheduledExecutorService stop;
            synchronized (this) {
                if (users == 0 || --users > 0) {
                    return;
                }
                stop = watcher;
                watcher = null;
            }
            if (stop != null) {
                stop.shutdownNow();
            }
            if (attributes != null && attributes.get().apply(ATTRIBUTE) == this) {
                attributes.remove().accept(ATTRIBUTE);
            }
        }
    }

    /**
     * Registers one endpoint's rules (as declared, with the settings' overrides), the list its binding then passes on
     * every request, and checks them under the overrides in force.
     *
     * @param where  the endpoint, for {@link #rules()} and log lines, e.g. {@code GET /api/search}
     * @param rules  the list
     * @param checks how the binding checks an effective list beyond the rules themselves (e.g. the plan table's
     *               values for them); throws IllegalArgumentException
     * @throws IllegalArgumentException naming the override, when the overrides in force make the list invalid
     */
    public synchronized void register(String where, List<RateLimitRule> rules, Consumer<List<RateLimitRule>> checks) {
        Registration r = new Registration(where, checks);
        Snapshot s = snapshot;
        List<RateLimitRule> effective = effective(rules, s.values, r);
        registered.put(rules, r);
        Map<List<RateLimitRule>, List<RateLimitRule>> map = new IdentityHashMap<>(s.effective);
        map.put(rules, effective);
        snapshot = new Snapshot(s.values, map);
    }

    /**
     * The rules a registered list counts under now: the request path's one lookup.
     *
     * @param rules the list the binding registered
     * @return its effective rules (itself when no override touches it; empty when every rule is disabled)
     */
    public List<RateLimitRule> current(List<RateLimitRule> rules) {
        Snapshot s = snapshot;
        if (s.values.isEmpty()) {
            return rules;
        }
        List<RateLimitRule> effective = s.effective.get(rules);
        return effective == null ? rules : effective;
    }

    /**
     * The rules a list would count under with the overrides in force, without registering it (for the startup
     * listing, written before the bindings register their lists).
     *
     * @param rules a list
     * @return its effective rules; the list itself when the overrides make it invalid (its registration then fails)
     */
    public List<RateLimitRule> preview(List<RateLimitRule> rules) {
        Snapshot s = snapshot;
        if (s.values.isEmpty()) {
            return rules;
        }
        try {
            return effective(rules, s.values, new Registration("", list -> { }));
        } catch (IllegalArgumentException e) {
            return rules;
        }
    }

    @Override
    public void replace(Map<String, String> values) {
        Objects.requireNonNull(values, "values");
        Map<String, Setting> parsed = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : values.entrySet()) {
            Line line = line(0, e.getKey(), e.getValue(), "RuleOverrides.replace");
            if (line.error != null) {
                throw new IllegalArgumentException(line.error);
            }
            parsed.put(line.setting.name(), line.setting);
        }
        synchronized (this) {
            for (Setting s : parsed.values()) {
                String error = checkAgainstRules(s);
                if (error != null) {
                    throw new IllegalArgumentException(error);
                }
            }
            snapshot = build(fileValues, parsed); // throws when the values together make a list invalid
            appValues = parsed;
        }
        LOG.info("Rule overrides of {} replaced by the application: {}; {}", application,
                parsed.isEmpty() ? "none" : texts(parsed), describe());
    }

    @Override
    public Map<String, String> values() {
        Map<String, String> out = new TreeMap<>();
        snapshot.values.forEach((k, v) -> out.put(k, v.text()));
        return Collections.unmodifiableMap(out);
    }

    @Override
    public synchronized Map<String, List<RateLimitRule>> rules() {
        Map<String, List<RateLimitRule>> out = new LinkedHashMap<>();
        Snapshot s = snapshot;
        registered.forEach((list, r) -> out.put(r.where, s.effective.getOrDefault(list, list)));
        return Collections.unmodifiableMap(out);
    }

    /**
     * Re-reads the rules file: a content that differs from the one in force is applied when two checks in a row read
     * it (the watcher's task; tests call it instead of waiting).
     */
    public synchronized void checkFile() {
        if (file == null) {
            return;
        }
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            if (!fileMissingReported) {
                fileMissingReported = true;
                LOG.warn("The rules file {} of {} is gone; the rules stay as they are until it is back", file,
                        application);
            }
            return;
        } catch (IOException | RuntimeException e) {
            LOG.warn("The rules file {} of {} cannot be read ({}); the rules stay as they are", file, application,
                    e.toString());
            return;
        }
        fileMissingReported = false;
        if (Arrays.equals(content, fileContent)) {
            pendingContent = null;
            return;
        }
        if (!Arrays.equals(content, pendingContent)) {
            pendingContent = content; // changed since the last check: applied once the next check reads the same
            return;
        }
        pendingContent = null;
        fileContent = content;
        Map<String, Setting> values = new LinkedHashMap<>();
        for (Line line : lines(content)) {
            String error = line.error != null ? line.error : checkAgainstRules(line.setting);
            if (error == null) {
                values.put(line.setting.name(), line.setting);
                continue;
            }
            Setting good = line.setting == null ? null : fileValues.get(line.setting.name());
            LOG.warn("The rules file {} of {}, line {}: {}; the line is ignored{}", file, application, line.number,
                    error, good == null ? "" : ", and " + good.name() + " stays " + good.text());
            if (good != null) {
                values.put(good.name(), good);
            }
        }
        try {
            snapshot = build(values, appValues);
        } catch (IllegalArgumentException e) {
            LOG.warn("The rules file {} of {} was changed, but its values make rules invalid ({}); the change is "
                    + "ignored and the rules stay as they were", file, application, e.getMessage());
            return;
        }
        fileValues = values;
        LOG.info("The rules file {} of {} changed: overrides {}; {}", file, application,
                values.isEmpty() ? "none" : texts(values), describe());
    }

    /** The snapshot of {@code file} with {@code app} above it, over every registered list; throws when invalid. */
    private Snapshot build(Map<String, Setting> file, Map<String, Setting> app) {
        Map<String, Setting> values = new TreeMap<>(file);
        values.putAll(app);
        Map<List<RateLimitRule>, List<RateLimitRule>> map = new IdentityHashMap<>();
        registered.forEach((list, r) -> map.put(list, effective(list, values, r)));
        return new Snapshot(Collections.unmodifiableMap(values), map);
    }

    /** One list under the values: each rule with the values of its name, keeping its counter. */
    private static List<RateLimitRule> effective(List<RateLimitRule> rules, Map<String, Setting> values,
            Registration r) {
        if (values.isEmpty()) {
            return rules;
        }
        Function<String, Setting> in = values::get;
        List<RateLimitRule> out = new ArrayList<>(rules.size());
        boolean changed = false;
        try {
            for (RateLimitRule rule : rules) {
                RateLimitRule own = PlanSettings.of(in, "", rule, true);
                changed |= own != rule;
                if (own != null) {
                    out.add(own);
                }
            }
            if (!changed) {
                return rules;
            }
            List<RateLimitRule> effective = List.copyOf(out);
            if (!effective.isEmpty()) {
                ClientKeys.checkRules(effective);
                r.checks.accept(effective);
            }
            return effective;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("The rule overrides make the rules of " + r.where + " invalid: "
                    + e.getMessage(), e);
        }
    }

    /** Whether one value fits every registered rule of its name; the error, or null. */
    private String checkAgainstRules(Setting s) {
        String name = s.name().substring(0, s.name().lastIndexOf('.'));
        Function<String, Setting> in = key -> key.equals(s.name()) ? s : null;
        for (List<RateLimitRule> list : registered.keySet()) {
            for (RateLimitRule rule : list) {
                if (rule.name().equals(name)) {
                    try {
                        PlanSettings.of(in, "", rule, true);
                    } catch (IllegalArgumentException e) {
                        return e.getMessage();
                    }
                }
            }
        }
        return null;
    }

    /** The lines of a rules file, each parsed and checked on its own. */
    private List<Line> lines(byte[] content) {
        String[] all = new String(content, StandardCharsets.UTF_8).split("\r\n|\r|\n");
        List<Line> out = new ArrayList<>();
        for (int i = 0; i < all.length; i++) {
            String text = all[i].strip();
            if (text.isEmpty() || text.startsWith("#") || text.startsWith("!")) {
                continue;
            }
            int eq = text.indexOf('=');
            int colon = text.indexOf(':');
            int at = eq < 0 ? colon : colon < 0 ? eq : Math.min(eq, colon);
            if (at < 0) {
                out.add(new Line(i + 1, null, "'" + abbreviated(text) + "' is not <rule>.<field>=<value>"));
                continue;
            }
            out.add(line(i + 1, text.substring(0, at), text.substring(at + 1), "rules file " + file + ", line "
                    + (i + 1)));
        }
        return out;
    }

    /** One {@code key=value}, checked on its own: the key's form, the field, the value's type. */
    private static Line line(int number, String rawKey, String rawValue, String source) {
        String key = rawKey == null ? "" : rawKey.strip();
        if (key.startsWith(PREFIX)) {
            key = key.substring(PREFIX.length());
        }
        int dot = key.lastIndexOf('.');
        String field = dot < 0 ? "" : key.substring(dot + 1);
        if (dot <= 0 || !FIELDS.contains(field)) {
            return new Line(number, null, "'" + abbreviated(key) + "' is not <rule>.<field>, the field one of "
                    + "limit, window, algorithm, cost, enabled");
        }
        String value = rawValue == null ? "" : rawValue.strip();
        Setting s = new Setting(key, value, source);
        try {
            if (value.isEmpty()) {
                throw s.invalid("is empty");
            }
            switch (field) {
                case "limit":
                    RateLimitRule.custom().name("x").window("1s").limit(Values.whole(value, s.errors())).build();
                    break;
                case "window":
                    RateLimitRule.custom().window(value);
                    break;
                case "algorithm":
                    Values.oneOf(value, Algorithm.class, s.errors());
                    break;
                case "cost":
                    if (Values.integer(value, s.errors()) < 1) {
                        throw s.invalid("must be at least 1");
                    }
                    break;
                default:
                    Values.bool(value, s.errors());
                    break;
            }
        } catch (Setting.InvalidSetting e) {
            return new Line(number, s, e.getMessage());
        } catch (IllegalArgumentException e) {
            return new Line(number, s, s.invalid("is invalid: " + e.getMessage()).getMessage());
        }
        return new Line(number, s, null);
    }

    private static String abbreviated(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "…";
    }

    private static String texts(Map<String, Setting> values) {
        StringBuilder b = new StringBuilder();
        values.values().forEach(s -> b.append(b.length() == 0 ? "" : ", ").append(s.name()).append('=')
                .append(s.text()));
        return b.toString();
    }

    /** The effective rules of every endpoint an override touches, for the log lines. */
    private String describe() {
        StringBuilder b = new StringBuilder("effective rules:");
        Snapshot s = snapshot;
        boolean any = false;
        for (Map.Entry<List<RateLimitRule>, Registration> e : registered.entrySet()) {
            List<RateLimitRule> effective = s.effective.getOrDefault(e.getKey(), e.getKey());
            if (effective != e.getKey()) {
                b.append(any ? "; " : " ").append(e.getValue().where).append(' ')
                        .append(effective.isEmpty() ? "(not limited)" : effective);
                any = true;
            }
        }
        return any ? b.toString() : "every endpoint counts under its own rules";
    }

    /** For the startup log. */
    @Override
    public String toString() {
        return file == null ? "no rules file" : "rules file " + file;
    }

    /** The values in force and every registered list's effective rules; immutable once published. */
    private record Snapshot(Map<String, Setting> values, Map<List<RateLimitRule>, List<RateLimitRule>> effective) {
        static final Snapshot EMPTY = new Snapshot(Map.of(), new IdentityHashMap<>());
    }

    private record Registration(String where, Consumer<List<RateLimitRule>> checks) {
    }

    /** A line of the rules file (or one replaced value): its setting, or why it is invalid. */
    private record Line(int number, Setting setting, String error) {
    }
}
