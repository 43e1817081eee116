package io.conifer.index;

import io.conifer.error.ConiferException;
import java.util.Map;
import java.util.regex.Pattern;

/** Pinecone's rules for index names and tags, shared by create, configure and restore. */
public final class IndexRules {
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?");
    private static final Pattern TAG_KEY = Pattern.compile("[A-Za-z0-9_-]+");
    public static final int MAX_NAME = 45;
    public static final int MAX_TAG_KEY = 80;
    public static final int MAX_TAG_VALUE = 120;
    public static final int MAX_TAGS = 20;

    private IndexRules() {}

    public static void name(String name) {
        resourceName("index", name);
    }

    /** Pinecone's rule for resource names (indexes, backup schedules), naming the kind in the error. */
    public static void resourceName(String kind, String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME || !NAME.matcher(name).matches()) {
            throw ConiferException.invalid("Invalid " + kind + " name '" + name + "': a name must be 1-" + MAX_NAME
                    + " characters long, start and end with an alphanumeric character, and consist only of lower case"
                    + " alphanumeric characters or '-'");
        }
    }

    /** The characters a tag value may hold, which the API versions' IndexTags schemas define differently. */
    public enum TagValues {
        /** 2025-10 and 2026-04, whose IndexTags name exactly these characters. */
        CLASSIC("[A-Za-z0-9;@_\\-.+ ]*", "letters, digits, ';', '@', '_', '-', '.', '+' or ' '"),
        /** 2026-07: any printable ASCII character (space is one). */
        PRINTABLE_ASCII("[\\x20-\\x7E]*", "printable ASCII characters or spaces");

        private final Pattern pattern;
        private final String described;

        TagValues(String regex, String described) {
            this.pattern = Pattern.compile(regex);
            this.described = described;
        }
    }

    /** Validates tags under {@code values}; empty values are allowed (they mean "unset" when configuring). */
    public static void tags(Map<String, String> tags, TagValues values) {
        if (tags == null) return;
        for (Map.Entry<String, String> e : tags.entrySet()) {
            String k = e.getKey(), v = e.getValue();
            if (k.isEmpty() || k.length() > MAX_TAG_KEY || !TAG_KEY.matcher(k).matches()) {
                throw ConiferException.invalid("Invalid tag key '" + k + "': keys must be 1-" + MAX_TAG_KEY
                        + " characters of letters, digits, '_' or '-'");
            }
            if (v == null) throw ConiferException.invalid("Tag '" + k + "' must have a string value");
            if (v.length() > MAX_TAG_VALUE || !values.pattern.matcher(v).matches()) {
                throw ConiferException.invalid("Invalid value for tag '" + k + "': values must be at most " + MAX_TAG_VALUE
                        + " characters of " + values.described);
            }
        }
    }

    public static void tagCount(Map<String, String> tags) {
        if (tags.size() > MAX_TAGS) {
            throw ConiferException.invalid("An index may have at most " + MAX_TAGS + " tags; this one would have " + tags.size());
        }
    }
}
