package io.conifer.vectors;

import io.conifer.error.ConiferException;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.util.automaton.TooComplexToDeterminizeException;

/**
 * How large a query may grow, and the client error for one that grows past it. Lucene refuses a
 * query of more than {@link IndexSearcher#getMaxClauseCount} clauses or terms (1,024 by default) and a
 * regular expression whose automaton grows too large, by throwing from deep inside query building or
 * the search: without this mapping those were internal errors (500), though the request is at fault.
 */
public final class QueryLimits {
    /**
     * Clauses and terms one query may hold, counted over its text and its filter. Lucene's default of
     * 1,024 refused searches the spec allows: a 10 KB text query holds up to ~2,000 words, and it may
     * name several fields; a filter's {@code $or} may list thousands of conditions.
     */
    public static final int MAX_CLAUSES = 16_384;

    static {
        IndexSearcher.setMaxClauseCount(MAX_CLAUSES);
    }

    private QueryLimits() {}

    /**
     * {@link #MAX_CLAUSES}, applied to Lucene (which keeps it process-wide) by the first call: every
     * path that builds or bounds a query asks here, so none sees Lucene's default.
     */
    public static int maxClauses() {
        return IndexSearcher.getMaxClauseCount();
    }

    /** Applies {@link #MAX_CLAUSES}; called before any index serves a query. */
    public static void install() {
        // The static initialiser does the work, once.
    }

    /** The client error for a query Lucene refused as too large, or null if {@code failure} is something else. */
    public static ConiferException refusal(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof IndexSearcher.TooManyClauses) {
                return ConiferException.invalid("The query and its filter hold more than " + maxClauses()
                        + " clauses or terms together; send a shorter text or a filter with fewer conditions");
            }
            if (t instanceof TooComplexToDeterminizeException) {
                return ConiferException.invalid("A regular expression or wildcard of the query is too complex to search: "
                        + t.getMessage());
            }
        }
        return null;
    }
}
