package org.pieproject.client.faults;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects what the library logs at ERROR (JUL SEVERE) while open. The transport logs at that level only
 * when the message handler threw, so an empty list proves no exception escaped from routing. Optionally
 * mutes lower levels, so a test that feeds a million bad frames does not print a million warnings.
 */
final class SevereLogs implements AutoCloseable {
    private static final String ROOT = "org.pieproject.client";

    private final Logger logger = Logger.getLogger(ROOT);
    private final Level previousLevel = logger.getLevel();
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.SEVERE.intValue()) records.add(r);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private SevereLogs(boolean muteBelowSevere) {
        logger.addHandler(handler);
        if (muteBelowSevere) logger.setLevel(Level.SEVERE);
    }

    static SevereLogs capture() {
        return new SevereLogs(false);
    }

    static SevereLogs captureMutingWarnings() {
        return new SevereLogs(true);
    }

    /** What was logged at ERROR, as text with the thrown exception, for an assertion message. */
    List<String> messages() {
        return records.stream().map(r -> r.getLoggerName() + ": " + r.getMessage()
                + (r.getThrown() == null ? "" : " <- " + r.getThrown())).toList();
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
        logger.setLevel(previousLevel);
    }
}
