package org.pieproject.client.testsupport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * What the library logs (through {@code System.Logger}, which the JDK backs with java.util.logging) while
 * open, at every level from DEBUG up or only at ERROR, so that a test can assert the level and the text of
 * what a dropped input leaves in the log, and that nothing reached ERROR.
 */
public final class LogCapture implements AutoCloseable {
    private static final String ROOT = "org.pieproject.client";
    private static final SimpleFormatter TEXT = new SimpleFormatter();

    /** One record, its level as the library named it. */
    public record Entry(System.Logger.Level level, String logger, String text, Throwable thrown) {
        @Override
        public String toString() {
            return level + " " + logger + ": " + text + (thrown == null ? "" : " <- " + thrown);
        }
    }

    private final Logger logger = Logger.getLogger(ROOT); // held: JUL forgets loggers nobody references
    private final Level previousLevel = logger.getLevel();
    private final List<Entry> entries = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            entries.add(new Entry(level(r.getLevel()), r.getLoggerName(), TEXT.formatMessage(r), r.getThrown()));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private LogCapture(Level level) {
        logger.setLevel(level);
        logger.addHandler(handler);
    }

    /** Captures DEBUG and above (JUL FINE). */
    public static LogCapture fromDebug() {
        return new LogCapture(Level.FINE);
    }

    /** Captures ERROR only and mutes the rest, for a test that feeds a million bad frames. */
    public static LogCapture errorsOnly() {
        return new LogCapture(Level.SEVERE);
    }

    /** Everything captured so far, in order. */
    public List<Entry> entries() {
        return List.copyOf(entries);
    }

    /** What was captured at {@code level} exactly. */
    public List<Entry> at(System.Logger.Level level) {
        return entries.stream().filter(e -> e.level() == level).toList();
    }

    /** What was logged at ERROR, as text: the transport logs there only when a handler threw. */
    public List<String> errors() {
        return at(System.Logger.Level.ERROR).stream().map(Entry::toString).toList();
    }

    /** Forgets what was captured so far. */
    public void clear() {
        entries.clear();
    }

    private static System.Logger.Level level(Level l) {
        int v = l.intValue();
        if (v >= Level.SEVERE.intValue()) return System.Logger.Level.ERROR;
        if (v >= Level.WARNING.intValue()) return System.Logger.Level.WARNING;
        if (v >= Level.INFO.intValue()) return System.Logger.Level.INFO;
        if (v >= Level.FINE.intValue()) return System.Logger.Level.DEBUG;
        return System.Logger.Level.TRACE;
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
        logger.setLevel(previousLevel);
    }
}
