package dev.quarry.core.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

class JsonHttpBuilderTest {

  @Test
  void badBaseUrl_isRejectedNamingOptionAndValue() {
    assertThatThrownBy(() -> JsonHttp.builder().baseUrl("ftp://example.com/"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("baseUrl")
        .hasMessageContaining("ftp://example.com/");
    assertThatThrownBy(() -> JsonHttp.builder().baseUrl("http://example.com/api?x=1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("baseUrl")
        .hasMessageContaining("query");
  }

  @Test
  void aSecretInTheBaseUrl_staysOutOfTheMessage() {
    assertThatThrownBy(
            () -> JsonHttp.builder().baseUrl("http://u:s3cret@example.com/api?token=t0k"))
        .hasMessageContaining("http://REDACTED@example.com/api?token=REDACTED")
        .hasMessageNotContaining("s3cret")
        .hasMessageNotContaining("t0k");
  }

  @Test
  void anInvalidHeaderValue_isRejectedNamingTheHeader_butNotShowingTheValue() {
    assertThatThrownBy(() -> JsonHttp.builder().header("X-Api-Key", "s3cret\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("header 'X-Api-Key'")
        .hasMessageContaining("0x0a at index 6")
        .hasMessageNotContaining("s3cret")
        .hasNoCause();
    assertThatThrownBy(() -> JsonHttp.builder().header("X Api", "v"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("header 'X Api' is not a valid header");
  }

  @Test
  void badTimeouts_areRejectedNamingOptionAndValue() {
    assertThatThrownBy(() -> JsonHttp.builder().readTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("readTimeout")
        .hasMessageContaining("PT-1S");
    assertThatThrownBy(() -> JsonHttp.builder().callTimeout(Duration.ofDays(30)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("callTimeout")
        .hasMessageContaining("PT720H");
  }

  @Test
  void nonPositiveMaxResponseBytes_isRejectedNamingTheValue() {
    assertThatThrownBy(() -> JsonHttp.builder().maxResponseBytes(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxResponseBytes")
        .hasMessageContaining("0");
  }

  @Test
  void invalidHeader_isRejectedNamingTheOptionAndHeader() {
    assertThatThrownBy(() -> JsonHttp.builder().header("Bad Name", "v"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("header 'Bad Name'");
    try (JsonHttp http = JsonHttp.builder().build()) {
      assertThatThrownBy(() -> http.withHeader("X-Key", "line\nbreak"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("withHeader 'X-Key'");
    }
  }

  @Test
  void readTimeout_withANonOkHttpCallFactory_isRejectedAtBuild() {
    OkHttpClient client = new OkHttpClient();
    Call.Factory factory = client::newCall;
    assertThatThrownBy(
            () ->
                JsonHttp.builder().callFactory(factory).readTimeout(Duration.ofSeconds(1)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("readTimeout needs an OkHttpClient");
  }

  @Test
  void jsonType_equalityFollowsTheType_andNamesIt() {
    assertThat(JsonType.of(String.class)).isEqualTo(JsonType.of(String.class));
    assertThat(JsonType.of(Void.class).isVoid()).isTrue();
    assertThat(JsonType.of(String.class).isVoid()).isFalse();
    assertThat(
            JsonType.of(
                new com.fasterxml.jackson.core.type.TypeReference<java.util.List<String>>() {}))
        .hasToString("java.util.List<java.lang.String>");
  }
}
