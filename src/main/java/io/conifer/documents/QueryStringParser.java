package io.conifer.documents;

import io.conifer.error.ConiferException;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.queryparser.classic.ParseException;
import org.apache.lucene.queryparser.classic.QueryParser;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;

/**
 * A {@code query_string}: Lucene's classic syntax over the full-text fields of a schema.
 * {@code field:(…)} targets a schema field by its own name; an unqualified clause searches every
 * full-text field, their BM25 scores added. Words and phrases are analysed as the field indexed them
 * ({@link TextField}); {@code "phrase pre"*} makes the last word a prefix; prefix, wildcard, fuzzy
 * (at most 2 edits), regular expression and range clauses are Lucene's own, on the mapped field.
 */
final class QueryStringParser extends QueryParser {
    /** The parser's default field: no schema field can be named so (names cannot be empty). */
    private static final String EVERY_FIELD = "";

    private final TextFields fields;

    private QueryStringParser(TextFields fields) {
        // Prefix, wildcard, fuzzy and range terms are normalised (lower-cased) by the analyzer of their field.
        super(EVERY_FIELD, fields.analyzer());
        this.fields = fields;
    }

    static Query parse(TextFields fields, String query) {
        if (fields.all().isEmpty()) {
            throw ConiferException.invalid("score_by type 'query_string' needs a full-text field, and this index has none:"
                    + " declare a string field with full_text_search when creating the index");
        }
        try {
            return new QueryStringParser(fields).parse(phrasePrefixesQuoted(query));
        } catch (ParseException | IllegalArgumentException | IndexSearcher.TooManyClauses
                | org.apache.lucene.util.automaton.TooComplexToDeterminizeException e) {
            throw ConiferException.invalid("Invalid query_string: " + e.getMessage());
        }
    }

    /**
     * Moves the {@code *} of a phrase prefix ({@code "james w"*}) inside the quotes, where the parser
     * hands it to {@link #getFieldQuery}: classic syntax has no phrase prefix of its own.
     */
    private static String phrasePrefixesQuoted(String query) {
        StringBuilder out = new StringBuilder(query.length());
        boolean quoted = false;
        for (int i = 0; i < query.length(); i++) {
            char c = query.charAt(i);
            if (c == '\\' && i + 1 < query.length()) {
                out.append(c).append(query.charAt(++i));
                continue;
            }
            if (c == '"' && quoted && i + 1 < query.length() && query.charAt(i + 1) == '*') {
                out.append("*\"");
                i++;
                quoted = false;
                continue;
            }
            if (c == '"') quoted = !quoted;
            out.append(c);
        }
        return out.toString();
    }

    private List<TextField> resolve(String field) throws ParseException {
        if (EVERY_FIELD.equals(field)) return List.copyOf(fields.all());
        TextField f = fields.field(field);
        if (f == null) {
            throw new ParseException("'" + field + "' is not a full-text field of this index; its full-text fields are "
                    + String.join(", ", fields.all().stream().map(TextField::name).toList()));
        }
        return List.of(f);
    }

    private interface FieldQuery {
        Query build(TextField field) throws ParseException;
    }

    /** One query per field the clause names, scores added when an unqualified clause searches several. */
    private Query each(String field, FieldQuery build) throws ParseException {
        List<Query> queries = new ArrayList<>();
        for (TextField f : resolve(field)) queries.add(build.build(f));
        if (queries.size() == 1) return queries.get(0);
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        for (Query q : queries) b.add(q, Occur.SHOULD);
        return b.build();
    }

    @Override
    protected Query getFieldQuery(String field, String queryText, boolean quoted) throws ParseException {
        return quoted ? getFieldQuery(field, queryText, 0) : each(field, f -> f.anyWord(queryText));
    }

    /** A quoted phrase, with its slop; a phrase ending in {@code *} is a phrase prefix. */
    @Override
    protected Query getFieldQuery(String field, String queryText, int slop) throws ParseException {
        if (queryText.endsWith("*")) {
            String phrase = queryText.substring(0, queryText.length() - 1);
            return each(field, f -> f.phrasePrefix(phrase));
        }
        return each(field, f -> f.phrase(queryText, slop));
    }

    @Override
    protected Query getPrefixQuery(String field, String termStr) throws ParseException {
        return each(field, f -> super.getPrefixQuery(f.luceneField(), termStr));
    }

    @Override
    protected Query getWildcardQuery(String field, String termStr) throws ParseException {
        if ("*".equals(field)) return super.getWildcardQuery(field, termStr);
        return each(field, f -> super.getWildcardQuery(f.luceneField(), termStr));
    }

    @Override
    protected Query getFuzzyQuery(String field, String termStr, float minSimilarity) throws ParseException {
        if (minSimilarity > 2) throw new ParseException("a fuzzy term allows at most 2 edits: " + termStr + "~" + (int) minSimilarity);
        return each(field, f -> super.getFuzzyQuery(f.luceneField(), termStr, minSimilarity));
    }

    @Override
    protected Query getRegexpQuery(String field, String termStr) throws ParseException {
        return each(field, f -> super.getRegexpQuery(f.luceneField(), termStr));
    }

    @Override
    protected Query getRangeQuery(String field, String part1, String part2, boolean startInclusive, boolean endInclusive)
            throws ParseException {
        return each(field, f -> super.getRangeQuery(f.luceneField(), part1, part2, startInclusive, endInclusive));
    }
}
