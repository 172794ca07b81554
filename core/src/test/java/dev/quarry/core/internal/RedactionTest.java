package dev.quarry.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

class RedactionTest {

  @Test
  void userInfo_isReplaced_hostPortAndPathStay() {
    assertThat(Redaction.url("https://alice:s3cret@api.example.com:8443/v1/items"))
        .isEqualTo("https://REDACTED@api.example.com:8443/v1/items");
    assertThat(Redaction.url("wss://token@rt.example.com"))
        .isEqualTo("wss://REDACTED@rt.example.com");
  }

  @Test
  void secretLookingParameters_areMasked_othersStay() {
    assertThat(
            Redaction.url(
                "https://h/x?page=2&access_token=a&apikey=b&api_key=c&X-Amz-Signature=d&sig=e"
                    + "&password=f&client_secret=g&subscription-key=h&monkey=i&keyword=j"))
        .isEqualTo(
            "https://h/x?page=2&access_token=REDACTED&apikey=REDACTED&api_key=REDACTED"
                + "&X-Amz-Signature=REDACTED&sig=REDACTED&password=REDACTED"
                + "&client_secret=REDACTED&subscription-key=REDACTED&monkey=i&keyword=j");
  }

  @Test
  void namesAreMatchedWithoutCaseSeparatorsOrPercentEncoding() {
    assertThat(Redaction.isSecretName("apiKey")).isTrue();
    assertThat(Redaction.isSecretName("X-API-KEY")).isTrue();
    assertThat(Redaction.isSecretName("Authorization")).isTrue();
    assertThat(Redaction.isSecretName("access%5Ftoken")).isTrue();
    assertThat(Redaction.isSecretName("otp")).isTrue();
    assertThat(Redaction.isSecretName("footprint")).isFalse();
    assertThat(Redaction.isSecretName("page")).isFalse();
    assertThat(Redaction.isSecretName("EIO")).isFalse();
    assertThat(Redaction.isSecretName("transport")).isFalse();
  }

  @Test
  void theFragmentsPairs_areRedactedLikeTheQuery() {
    assertThat(Redaction.url("https://app/cb#access_token=abc&state=1&token_type=bearer"))
        .isEqualTo("https://app/cb#access_token=REDACTED&state=1&token_type=REDACTED");
  }

  @Test
  void relativeReferences_haveTheirParametersRedacted() {
    assertThat(Redaction.url("items?token=abc&page=1")).isEqualTo("items?token=REDACTED&page=1");
    assertThat(Redaction.url("items")).isEqualTo("items");
  }

  @Test
  void nothingSecret_returnsTheSameString() {
    String url = "http://127.0.0.1:8080/socket.io/?EIO=4&transport=websocket";
    assertThat(Redaction.url(url)).isSameAs(url);
    URI uri = URI.create(url);
    assertThat(Redaction.uri(uri)).isSameAs(uri);
  }

  @Test
  void uri_staysAUri() {
    assertThat(Redaction.uri(URI.create("http://u:p@h:1/?apikey=k&a=b")))
        .isEqualTo(URI.create("http://REDACTED@h:1/?apikey=REDACTED&a=b"));
  }

  @Test
  void malformedInput_isRedactedAsFarAsItCanBeRead_andNeverThrows() {
    assertThat(Redaction.url("ht tp://h?token=x")).isEqualTo("ht tp://h?token=REDACTED");
    assertThat(Redaction.url("://u:p@h")).isEqualTo("://REDACTED@h");
    assertThat(Redaction.url("http://u:p@")).isEqualTo("http://REDACTED@");
    assertThat(Redaction.url("?=&&token=&=x#")).isEqualTo("?=&&token=REDACTED&=x#");
    assertThat(Redaction.url("")).isEmpty();
    assertThat(Redaction.url("http://h/?a=%zz&token%zz=1")).contains("token%zz=REDACTED");
  }
}
