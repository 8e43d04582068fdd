package org.pieproject.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.concurrent.TimeUnit;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HashBlobTest {

    @Test
    void matchesEveryOfficialBlake3TestVector() throws Exception {
        JsonObject root = JsonParser.parseString(Files.readString(SharedData.file("blake3/test_vectors.json")))
                .getAsJsonObject();
        int checked = 0;
        for (JsonElement c : root.getAsJsonArray("cases")) {
            JsonObject tc = c.getAsJsonObject();
            int len = tc.get("input_len").getAsInt();
            byte[] input = new byte[len];
            for (int i = 0; i < len; i++) input[i] = (byte) (i % 251);
            String expected = tc.get("hash").getAsString().substring(0, 64);
            assertThat(PieClient.hashBlob(input)).as("BLAKE3 of %d bytes", len).isEqualTo(expected);
            checked++;
        }
        assertThat(checked).as("number of official vectors checked").isGreaterThan(30);
    }

    @Test
    void isLowercaseHexOf32Bytes() {
        assertThat(PieClient.hashBlob(new byte[0]))
                .isEqualTo("af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262");
    }
}
