package org.pieproject.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The config reader builds from the TOML parser's tokens the very tree {@code TomlMapper.readTree} gives. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TomlTreeTest {
    private static final String EVERY_KIND = """
            title = "pie"
            literal = 'C:\\\\path'
            multi = \"\"\"
            two
            lines\"\"\"
            small = 8080
            negative = -3
            large = 9000000000
            huge = 123456789012345678901234567890
            hex = 0xff
            ratio = 0.25
            exp = 6.02e23
            inf = inf
            yes = true
            no = false
            born = 1979-05-27T07:32:00Z
            day = 1979-05-27
            numbers = [1, 2, 3]
            mixed = [["a", "b"], [1.5], []]
            point = { x = 1, y = "two", z = { deep = true } }
            a.dotted.key = "v"
            empty = ""

            [table]
            key = "value"
            list = [ { name = "n" }, { name = "m" } ]

            [[servers]]
            host = "h1"
            port = 1

            [[servers]]
            host = "h2"
            """;

    @Test
    void everyKindOfValueIsReadAsTomlMapperReadsIt() throws Exception {
        JsonNode expected = new TomlMapper().readTree(EVERY_KIND);
        JsonNode actual = ConfigFile.parseToml(EVERY_KIND, "test");
        assertThat(actual).isEqualTo(expected);
        // Equal trees have equal node types too (an IntNode never equals a LongNode), but say it outright.
        assertThat(actual.get("small").getClass()).isEqualTo(expected.get("small").getClass());
        assertThat(actual.get("large").getClass()).isEqualTo(expected.get("large").getClass());
        assertThat(actual.get("huge").getClass()).isEqualTo(expected.get("huge").getClass());
        assertThat(actual.get("ratio").getClass()).isEqualTo(expected.get("ratio").getClass());
        assertThat(actual.get("servers")).hasSize(2);
    }

    @Test
    void anEmptyFileIsAnEmptyTable() {
        assertThat(ConfigFile.parseToml("", "test")).isEmpty();
        assertThat(ConfigFile.parseToml("# only a comment\n", "test")).isEmpty();
    }

    @Test
    void malformedTomlNamesItsSourceAndLine() {
        assertThatThrownBy(() -> ConfigFile.parseToml("a = 1\nb = = 2\n", "config file 'x.toml'"))
                .isInstanceOf(CliException.class)
                .hasMessageStartingWith("config file 'x.toml' is not valid TOML: ")
                .hasMessageEndingWith("(line 2)");
    }
}
