package dev.leanode.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SizeFormatTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "0, 0 B",
    "1, 1 B",
    "1023, 1023 B",
    "1024, 1.0 KiB",
    "1536, 1.5 KiB",
    "1048575, 1.0 MiB",
    "1048576, 1.0 MiB",
    "54634123, 52.1 MiB",
    "78765432, 75.1 MiB",
    "1073741824, 1.0 GiB",
    "5368709120, 5.0 GiB",
    "1099511627776, 1.0 TiB",
    "9223372036854775807, 8.0 EiB",
  })
  void formatsIecWithOneDecimal(long bytes, String expected) {
    assertThat(SizeFormat.human(bytes)).isEqualTo(expected);
  }

  @Test
  void rejectsNegativeSizes() {
    assertThatThrownBy(() -> SizeFormat.human(-1)).isInstanceOf(IllegalArgumentException.class);
  }
}
