package dev.ratelimit.internal.config;

import static dev.ratelimit.internal.config.RateLimitSettings.apply;
import static dev.ratelimit.internal.config.RateLimitSettings.shortName;

import dev.ratelimit.internal.Masking;
import dev.ratelimit.internal.http.HeaderFormat;
import dev.ratelimit.internal.http.HeaderStyle;
import dev.ratelimit.internal.http.PartitionKeys;
import java.util.function.Function;

/**
 * The {@code ratelimit.headers*} settings: which rate-limit fields responses carry, in which draft's form, under
 * which legacy prefix, from which remaining quota on, and whether with a {@code pk}; each value checked once.
 */
final class HeaderSettings {

    static final String HEADERS = "ratelimit.headers";
    static final String HEADERS_DRAFT = "ratelimit.headers.draft";
    static final String HEADERS_LEGACY_PREFIX = "ratelimit.headers.legacy-prefix";
    static final String HEADERS_THRESHOLD = "ratelimit.headers.threshold";
    static final String HEADERS_PARTITION_KEY = "ratelimit.headers.partition-key";
    static final String HEADERS_PARTITION_KEY_SECRET = "ratelimit.headers.partition-key-secret";

    private final HeaderFormat format;
    /** How {@code pk} is made; null when it is not sent. */
    private final PartitionKeys partitionKeys;

    HeaderSettings(Function<String, Setting> in) {
        Setting headers = in.apply(HEADERS);
        HeaderStyle style = headers == null ? HeaderStyle.BOTH
                : Values.oneOf(headers.text(), HeaderStyle.class, headers.errors());
        this.format = format(style, in.apply(HEADERS_DRAFT), in.apply(HEADERS_LEGACY_PREFIX),
                in.apply(HEADERS_THRESHOLD));
        Setting pk = in.apply(HEADERS_PARTITION_KEY);
        Setting pkSecret = in.apply(HEADERS_PARTITION_KEY_SECRET);
        PartitionKeys[] keyed = new PartitionKeys[1];
        apply(pkSecret, s -> keyed[0] = PartitionKeys.withSecret(s.text())); // refused without showing the secret
        boolean pkOn = pk != null && Values.bool(pk.text(), pk.errors());
        this.partitionKeys = !pkOn ? null : keyed[0] != null ? keyed[0] : PartitionKeys.randomSecret();
    }

    /** {@return the fields and when they are sent} */
    HeaderFormat format() {
        return format;
    }

    /** {@return how {@code pk} is made; null when it is not sent} */
    PartitionKeys partitionKeys() {
        return partitionKeys;
    }

    /** The header format: the style with the draft, the legacy prefix and the threshold, each named in its error. */
    private static HeaderFormat format(HeaderStyle style, Setting draftSetting, Setting prefixSetting,
            Setting thresholdSetting) {
        HeaderFormat.Draft draft = HeaderFormat.Draft.DRAFT_11;
        if (draftSetting != null) {
            draft = null;
            for (HeaderFormat.Draft d : HeaderFormat.Draft.values()) {
                if (d.settingValue().equalsIgnoreCase(draftSetting.text())) {
                    draft = d;
                }
            }
            if (draft == null) {
                throw draftSetting.invalid("must be one of draft-11, draft-07, draft-06");
            }
        }
        String prefix = prefixSetting == null ? HeaderFormat.DEFAULT_LEGACY_PREFIX : prefixSetting.text();
        int threshold = thresholdSetting == null ? 100
                : Values.integer(thresholdSetting.text(), thresholdSetting.errors());
        if (threshold < 0 || threshold > 100) {
            throw thresholdSetting.invalid("must be a percentage of the limit from 0 to 100");
        }
        try {
            return new HeaderFormat(style, draft, prefix, threshold);
        } catch (IllegalArgumentException e) {
            throw prefixSetting != null ? prefixSetting.invalid("is invalid: " + e.getMessage())
                    : draftSetting.invalid("is invalid: " + e.getMessage());
        }
    }

    /** The settings as {@code , headers=…}: the draft, prefix and threshold only when changed; the secret masked. */
    @Override
    public String toString() {
        return ", " + shortName(HEADERS) + "=" + format.style()
                + format.describeChanges(", " + shortName(HEADERS_DRAFT) + "=",
                        ", " + shortName(HEADERS_LEGACY_PREFIX) + "=", ", " + shortName(HEADERS_THRESHOLD) + "=")
                + ", " + shortName(HEADERS_PARTITION_KEY) + "=" + (partitionKeys != null)
                + (partitionKeys == null ? "" : ", " + shortName(HEADERS_PARTITION_KEY_SECRET) + "="
                        + (partitionKeys.isRandom() ? "random" : Masking.MASK));
    }
}
