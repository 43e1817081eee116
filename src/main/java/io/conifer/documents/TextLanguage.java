package io.conifer.documents;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.ar.ArabicAnalyzer;
import org.apache.lucene.analysis.da.DanishAnalyzer;
import org.apache.lucene.analysis.de.GermanAnalyzer;
import org.apache.lucene.analysis.el.GreekAnalyzer;
import org.apache.lucene.analysis.el.GreekLowerCaseFilter;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.es.SpanishAnalyzer;
import org.apache.lucene.analysis.fi.FinnishAnalyzer;
import org.apache.lucene.analysis.fr.FrenchAnalyzer;
import org.apache.lucene.analysis.hu.HungarianAnalyzer;
import org.apache.lucene.analysis.it.ItalianAnalyzer;
import org.apache.lucene.analysis.nl.DutchAnalyzer;
import org.apache.lucene.analysis.no.NorwegianAnalyzer;
import org.apache.lucene.analysis.pt.PortugueseAnalyzer;
import org.apache.lucene.analysis.ro.RomanianAnalyzer;
import org.apache.lucene.analysis.ru.RussianAnalyzer;
import org.apache.lucene.analysis.sv.SwedishAnalyzer;
import org.apache.lucene.analysis.ta.TamilAnalyzer;
import org.apache.lucene.analysis.tr.TurkishAnalyzer;
import org.apache.lucene.analysis.tr.TurkishLowerCaseFilter;

/**
 * The languages a full-text field may name: the eighteen Pinecone lists, each by its ISO 639-1 code
 * or English name. A stemmed field is analysed by Lucene's own analyzer for the language (its
 * stemmer, elision and normalisation rules), given the language's stop words or none.
 */
public enum TextLanguage {
    ARABIC("ar", "arabic", ArabicAnalyzer::getDefaultStopSet, ArabicAnalyzer::new),
    DANISH("da", "danish", DanishAnalyzer::getDefaultStopSet, DanishAnalyzer::new),
    GERMAN("de", "german", GermanAnalyzer::getDefaultStopSet, GermanAnalyzer::new),
    GREEK("el", "greek", GreekAnalyzer::getDefaultStopSet, GreekAnalyzer::new),
    ENGLISH("en", "english", EnglishAnalyzer::getDefaultStopSet, EnglishAnalyzer::new),
    SPANISH("es", "spanish", SpanishAnalyzer::getDefaultStopSet, SpanishAnalyzer::new),
    FINNISH("fi", "finnish", FinnishAnalyzer::getDefaultStopSet, FinnishAnalyzer::new),
    FRENCH("fr", "french", FrenchAnalyzer::getDefaultStopSet, FrenchAnalyzer::new),
    HUNGARIAN("hu", "hungarian", HungarianAnalyzer::getDefaultStopSet, HungarianAnalyzer::new),
    ITALIAN("it", "italian", ItalianAnalyzer::getDefaultStopSet, ItalianAnalyzer::new),
    DUTCH("nl", "dutch", DutchAnalyzer::getDefaultStopSet, DutchAnalyzer::new),
    NORWEGIAN("no", "norwegian", NorwegianAnalyzer::getDefaultStopSet, NorwegianAnalyzer::new),
    PORTUGUESE("pt", "portuguese", PortugueseAnalyzer::getDefaultStopSet, PortugueseAnalyzer::new),
    ROMANIAN("ro", "romanian", RomanianAnalyzer::getDefaultStopSet, RomanianAnalyzer::new),
    RUSSIAN("ru", "russian", RussianAnalyzer::getDefaultStopSet, RussianAnalyzer::new),
    SWEDISH("sv", "swedish", SwedishAnalyzer::getDefaultStopSet, SwedishAnalyzer::new),
    TAMIL("ta", "tamil", TamilAnalyzer::getDefaultStopSet, TamilAnalyzer::new),
    TURKISH("tr", "turkish", TurkishAnalyzer::getDefaultStopSet, TurkishAnalyzer::new);

    public static final String DEFAULT = "en";

    private final String code;
    private final String englishName;
    private final Supplier<CharArraySet> stopWords;
    private final Function<CharArraySet, Analyzer> stemming;

    TextLanguage(String code, String englishName, Supplier<CharArraySet> stopWords, Function<CharArraySet, Analyzer> stemming) {
        this.code = code;
        this.englishName = englishName;
        this.stopWords = stopWords;
        this.stemming = stemming;
    }

    /** The language a schema names (code or English name, any case), or null when Conifer has none such. */
    public static TextLanguage of(String language) {
        String l = language.toLowerCase(Locale.ROOT);
        for (TextLanguage t : values()) {
            if (t.code.equals(l) || t.englishName.equals(l)) return t;
        }
        return null;
    }

    /** For error messages: {@code ar (arabic), da (danish), ...}. */
    public static String supported() {
        return Arrays.stream(values()).map(t -> t.code + " (" + t.englishName + ")").collect(Collectors.joining(", "));
    }

    /** Lucene's analyzer of the language: its stemmer, after removing its stop words when asked to. */
    Analyzer stemming(boolean removeStopWords) {
        return stemming.apply(removeStopWords ? stopWords.get() : CharArraySet.EMPTY_SET);
    }

    /** Lower-cases as the language does: Greek final sigma and accents, Turkish dotted and dotless i. */
    TokenStream lowerCase(TokenStream in) {
        return switch (this) {
            case GREEK -> new GreekLowerCaseFilter(in);
            case TURKISH -> new TurkishLowerCaseFilter(in);
            default -> new LowerCaseFilter(in);
        };
    }
}
