#include "classify/value_classifier.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gatescope::classify {
namespace {

constexpr uint32_t kAllTags = (1u << kSensitiveTagCount) - 1;

std::string TagsToString(uint32_t tags) {
  std::string out;
  for (size_t i = 0; i < kSensitiveTagCount; ++i) {
    if (tags & (1u << i)) {
      if (!out.empty()) out += ',';
      out += SensitiveTagName(static_cast<SensitiveTag>(1u << i));
    }
  }
  return out.empty() ? "none" : out;
}

// Asserts the exact format and tag set of each value, naming the value on failure.
void ExpectClass(const std::vector<std::string_view>& values, StringFormat format, uint32_t tags) {
  for (std::string_view v : values) {
    const ValueClass c = ClassifyValue(v);
    EXPECT_EQ(StringFormatName(c.format), StringFormatName(format)) << "value: " << v;
    EXPECT_EQ(TagsToString(c.tags), TagsToString(tags)) << "value: " << v;
  }
}

void ExpectTagged(const std::vector<std::string_view>& values, uint32_t tag) {
  for (std::string_view v : values) {
    EXPECT_EQ(ClassifyValue(v).tags, tag) << "value: " << v;
  }
}

void ExpectNotTagged(const std::vector<std::string_view>& values, uint32_t tag) {
  for (std::string_view v : values) {
    EXPECT_EQ(ClassifyValue(v).tags & tag, 0u)
        << "value: " << v << " tags " << TagsToString(ClassifyValue(v).tags);
  }
}

// ---------------------------------------------------------------------------------------------
// Names.

TEST(ValueClassifierNamesTest, FormatNamesAreOpenApiFormats) {
  EXPECT_EQ(StringFormatName(StringFormat::kNone), "");
  EXPECT_EQ(StringFormatName(StringFormat::kDateTime), "date-time");
  EXPECT_EQ(StringFormatName(StringFormat::kDate), "date");
  EXPECT_EQ(StringFormatName(StringFormat::kTime), "time");
  EXPECT_EQ(StringFormatName(StringFormat::kEmail), "email");
  EXPECT_EQ(StringFormatName(StringFormat::kUuid), "uuid");
  EXPECT_EQ(StringFormatName(StringFormat::kIpv4), "ipv4");
  EXPECT_EQ(StringFormatName(StringFormat::kIpv6), "ipv6");
  EXPECT_EQ(StringFormatName(StringFormat::kUri), "uri");
}

TEST(ValueClassifierNamesTest, TagNamesAreSnakeCaseAndDistinct) {
  const std::vector<std::string_view> expected = {
      "email",          "phone",          "card_number", "iban",       "national_id", "jwt",
      "aws_access_key", "aws_secret_key", "private_key", "ip_address", "credential"};
  ASSERT_EQ(expected.size(), kSensitiveTagCount);
  for (size_t i = 0; i < kSensitiveTagCount; ++i) {
    EXPECT_EQ(SensitiveTagName(static_cast<SensitiveTag>(1u << i)), expected[i]);
  }
  EXPECT_EQ(SensitiveTagName(static_cast<SensitiveTag>(kTagEmail | kTagPhone)), "");
}

// ---------------------------------------------------------------------------------------------
// Formats.

TEST(ValueClassifierFormatTest, DateTimeAcceptsRfc3339) {
  ExpectClass({"2024-05-01T12:00:00Z", "2024-05-01t12:00:00z", "2024-05-01T12:00:00.123Z",
               "2024-05-01T12:00:00.123456789+02:00", "2024-02-29T23:59:60-05:30",
               "1999-12-31T00:00:00+00:00"},
              StringFormat::kDateTime, 0);
}

TEST(ValueClassifierFormatTest, DateTimeRejectsInvalidFields) {
  ExpectClass({"2024-13-01T12:00:00Z",  // Month 13.
               "2024-00-01T12:00:00Z",  // Month 0.
               "2023-02-29T12:00:00Z",  // Not a leap year.
               "2024-04-31T12:00:00Z",  // April has 30 days.
               "2024-05-01T24:00:00Z",  // Hour 24.
               "2024-05-01T12:60:00Z",  // Minute 60.
               "2024-05-01T12:00:61Z",  // Second 61.
               "2024-05-01 12:00:00Z",  // Space separator is not RFC 3339 date-time.
               "2024-05-01T12:00:00",   // No offset.
               "2024-05-01T12:00:00+2:00", "2024-05-01T12:00:00.Z", "2024-05-01T12:00Z"},
              StringFormat::kNone, 0);
}

TEST(ValueClassifierFormatTest, FullDate) {
  ExpectClass({"2024-05-01", "2000-02-29", "1970-01-01"}, StringFormat::kDate, 0);
  ExpectClass({"2024-5-01", "2024-13-01", "2100-02-29", "2024-06-31", "2024/05/01", "20240501",
               "2024-05-00"},
              StringFormat::kNone, 0);
}

TEST(ValueClassifierFormatTest, Time) {
  ExpectClass({"12:00:00", "23:59:60", "00:00:00.5", "12:00:00Z", "12:00:00.25+02:00"},
              StringFormat::kTime, 0);
  ExpectClass({"12:30", "24:00:00", "12:60:00", "1:00:00", "12:00:00 PM", "12:00:00+25:00"},
              StringFormat::kNone, 0);
}

TEST(ValueClassifierFormatTest, Email) {
  ExpectClass({"jane.doe@example.com", "j+tag@mail.example.co.uk", "o'brien@example.ie",
               "a_b-c@sub-domain.example.org", "USER@EXAMPLE.COM", "ivan@example.xn--p1ai"},
              StringFormat::kEmail, kTagEmail);
  ExpectClass({"@example.com", "jane@", "jane@localhost", "jane@example.c", "jane@example.123",
               "jane..doe@example.com", ".jane@example.com", "jane.@example.com",
               "jane@-example.com", "jane@example-.com", "jane@@example.com",
               "jane doe@example.com", "jane@exa_mple.com", "a@b@example.com", "ivan@xn--p1ai"},
              StringFormat::kNone, 0);
}

TEST(ValueClassifierFormatTest, Uuid) {
  ExpectClass({"48752d0f-c99d-4cfa-a5a7-f3c6834d19e5", "00000000-0000-0000-0000-000000000000",
               "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", "01890a5d-ac96-774b-bcce-b302099a8057"},
              StringFormat::kUuid, 0);
  ExpectClass({"48752d0f-c99d-4cfa-a5a7-f3c6834d19e", "48752d0fc99d4cfaa5a7f3c6834d19e5",
               "48752d0f-c99d-4cfa-a5a7-f3c6834d19eg", "{48752d0f-c99d-4cfa-a5a7-f3c6834d19e5}"},
              StringFormat::kNone, 0);
}

TEST(ValueClassifierFormatTest, Ipv4) {
  ExpectClass({"203.0.113.7", "0.0.0.0", "255.255.255.255", "10.0.0.1", "192.168.100.200"},
              StringFormat::kIpv4, kTagIpAddress);
  ExpectClass({"256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.04", "1..2.3", "1.2.3.4.",
               "1.2.3.1000"},
              StringFormat::kNone, 0);
}

TEST(ValueClassifierFormatTest, Ipv6) {
  ExpectClass({"2001:db8::1", "::1", "::", "fe80::1ff:fe23:4567:890a",
               "2001:0db8:85a3:0000:0000:8a2e:0370:7334", "::ffff:192.0.2.128",
               "1::", "2001:DB8:0:0:8:800:200C:417A", "64:ff9b::192.0.2.33"},
              StringFormat::kIpv6, kTagIpAddress);
  ExpectClass({"2001:db8::1::2", "12345::1", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", ":1:2",
               "1:", "00:1a:2b:3c:4d:5e", "fe80::1%eth0", "::ffff:192.0.2.256"},
              StringFormat::kNone, 0);
}

TEST(ValueClassifierFormatTest, Uri) {
  ExpectClass({"https://api.example.com/v1/pets?limit=10", "http://localhost:8080/",
               "urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66", "mailto:jane@example.com",
               "ftp://ftp.example.com/file.txt", "file:///etc/hosts", "s3://bucket/key",
               "tel:+1-415-555-0132", "git+ssh://git@example.com/repo.git"},
              StringFormat::kUri, 0);
  ExpectClass({"12:30", "note:hello", "key:value", "https://", "https:///path",
               "https://exa mple.com", "http://example.com/{id}", "://example.com", "c:\\windows",
               "1http://example.com", "Basic:abc"},
              StringFormat::kNone, 0);
}

// ---------------------------------------------------------------------------------------------
// Payment cards.

TEST(ValueClassifierCardTest, IssuerTestNumbersAreCards) {
  ExpectClass({"4111111111111111",    "4012888888881881",    "4222222222222",     // Visa.
               "378282246310005",     "371449635398431",                          // Amex.
               "5555555555554444",    "5105105105105100",    "2223003122003222",  // Mastercard.
               "6011111111111117",    "6011000990139424",                         // Discover.
               "3530111333300000",    "3566002020360505",                         // JCB.
               "30569309025904",      "38520000023237",      "36227206271667",    // Diners.
               "6200000000000005",    "6205500000000000004",                      // UnionPay.
               "6759649826438453",                                                // Maestro.
               "2200000000000004",                                                // Mir.
               "4111 1111 1111 1111", "4111-1111-1111-1111", "3782 822463 10005"},
              StringFormat::kNone, kTagCardNumber);
}

TEST(ValueClassifierCardTest, RejectsBadLuhnUnknownIssuerAndBadShape) {
  ExpectNotTagged({"4111111111111112",        "5555555555554445",
                   "378282246310006",  // Luhn fails.
                   "1234567812345670",        "7000000000000005",
                   "8000123456789018",        "9000123456789016",
                   "0123456789012347",    // Luhn-valid, no issuer.
                   "411111111111111118",  // Visa prefix, 18 digits.
                   "37828224631000518",   // Amex prefix, 17 digits.
                   "555555555555444418",  // Mastercard prefix, 18 digits.
                   "4111 1111-1111 1111",     "4111  1111 1111 1111",
                   "4111111111111111 ",       " 4111111111111111",
                   "41 11 11 11 11 11 11 11", "4111_1111_1111_1111",
                   "4111.1111.1111.1111",     "411111111111",
                   "41111111111111111111"},
                  kTagCardNumber);
}

TEST(ValueClassifierCardTest, OrderNumbersAndTimestampsAreNotCards) {
  ExpectClass({"1000200030004000", "9876543210987654", "2024050112345678", "1700000000000",
               "1714557600123", "5100000000000000", "6011000000000000"},
              StringFormat::kNone, 0);
}

// Documented limitation: a Luhn-valid number with a Visa prefix cannot be told apart.
TEST(ValueClassifierCardTest, LuhnValidVisaShapedOrderNumberIsTagged) {
  EXPECT_EQ(ClassifyValue("4000123412341234").tags, kTagCardNumber);
}

// ---------------------------------------------------------------------------------------------
// IBAN.

TEST(ValueClassifierIbanTest, RegistryExamplesAreIbans) {
  ExpectClass(
      {"DE89370400440532013000", "GB82WEST12345698765432", "GB29NWBK60161331926819",
       "FR1420041010050500013M02606", "NL91ABNA0417164300", "BE68539007547034",
       "CH9300762011623852957", "ES9121000418450200051332", "IT60X0542811101000000123456",
       "NO9386011117947", "MT84MALT011000012345MTLCAST001S", "SC18SSCB11010000000000001497USD",
       "BR1800360305000010009795493C1", "LC55HEMM000100010012001200023015", "AT611904300234573201",
       "DE89 3704 0044 0532 0130 00", "BE68 5390 0754 7034", "FR14 2004 1010 0505 0001 3M02 606"},
      StringFormat::kNone, kTagIban);
}

TEST(ValueClassifierIbanTest, RejectsChangedDigitsLengthAndCountry) {
  ExpectNotTagged({"DE89370400440532013001", "DE88370400440532013000", "GB82WEST12345698765433",
                   "FR1420041010050500013M02607",
                   "DE8937040044053201300",    // One short.
                   "DE893704004405320130000",  // One long.
                   "XX89370400440532013000",   // No such country.
                   "de89370400440532013000",   // Lowercase.
                   "DE893 704 0044 0532 0130 00", "DE89  3704 0044 0532 0130 00",
                   "DE8 93704 0044 0532 0130 00", "DE89-3704-0044-0532-0130-00"},
                  kTagIban);
}

// ---------------------------------------------------------------------------------------------
// National identifiers.

TEST(ValueClassifierNationalIdTest, UsSsn) {
  ExpectTagged({"123-45-6789", "078-05-1121", "899-99-9999", "001-01-0001"}, kTagNationalId);
  ExpectNotTagged({"000-12-3456", "666-12-3456", "900-12-3456", "999-12-3456", "123-00-4567",
                   "123-45-0000", "123456789", "123 45 6789", "12-345-6789", "123-45-678a"},
                  kTagNationalId);
}

TEST(ValueClassifierNationalIdTest, UkNino) {
  ExpectTagged({"AB123456C", "AB 12 34 56 C", "JG103759A", "ZY987654D"}, kTagNationalId);
  ExpectNotTagged(
      {"QQ123456C",  // Q is never a prefix letter (HMRC's specimen).
       "DA123456A", "FA123456A", "AO123456A", "AD123456A", "BG123456A", "GB123456A", "NK123456A",
       "TN123456A", "ZZ123456A", "AB123456E", "ab123456c", "AB12345C", "AB 123456 C"},
      kTagNationalId);
}

TEST(ValueClassifierNationalIdTest, SpanishDniAndNie) {
  ExpectTagged({"12345678Z", "12345678-Z", "X1234567L", "Y1234567X"}, kTagNationalId);
  ExpectNotTagged({"12345678A", "X1234567A", "00000000T", "W1234567L", "1234567Z"}, kTagNationalId);
}

TEST(ValueClassifierNationalIdTest, BrazilCpf) {
  ExpectTagged({"123.456.789-09", "529.982.247-25"}, kTagNationalId);
  ExpectNotTagged({"123.456.789-08", "111.111.111-11", "12345678909", "123.456.78909"},
                  kTagNationalId);
}

TEST(ValueClassifierNationalIdTest, IndiaAadhaar) {
  ExpectTagged({"2345 6789 0124", "4991 8144 5604"}, kTagNationalId);
  ExpectNotTagged({"2345 6789 0125", "1234 5678 9012", "0345 6789 0124", "234567890124"},
                  kTagNationalId);
}

// ---------------------------------------------------------------------------------------------
// Phones.

TEST(ValueClassifierPhoneTest, InternationalAndNationalFormats) {
  ExpectClass(
      {"+14155550132", "+442079460958", "+44 20 7946 0958", "+1 (415) 555-0132", "+1-415-555-0132",
       "+33 1 23 45 67 89", "+49 30 12345678", "(415) 555-0132", "415-555-0132", "415.555.0132",
       "020 7946 0958", "01 23 45 67 89", "1-800-555-0199", "+44 (0)20 7946 0958", "(415)555-0132"},
      StringFormat::kNone, kTagPhone);
}

TEST(ValueClassifierPhoneTest, NumbersDatesAndAddressesAreNotPhones) {
  ExpectNotTagged({"4155550132",  // Bare 10 digits: an order number as likely.
                   "1234567890",        "+123",           "+0441234567",           "2024-05-01",
                   "192.168.1.100",     "10.100.200.255", "1 234 567 890",         "1.234.567.890",
                   "10.0.19041.1234",   "415-555-0132-",  "415--555-0132",         "415 555-0132.5",
                   "(415 555-0132",     "415) 555-0132",  "+1 415 555 0132 ext 7", "415.555-0132",
                   "+1234567890123456", "12-34-56",       "0-306-40615-2"},
                  kTagPhone);
}

// ---------------------------------------------------------------------------------------------
// Tokens and keys.

constexpr std::string_view kJwt =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ."
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

TEST(ValueClassifierJwtTest, RealHs256TokenIsJwt) {
  ExpectClass({kJwt}, StringFormat::kNone, kTagJwt);
  const std::string bearer = "Bearer " + std::string(kJwt);
  const std::string lower_bearer = "bearer " + std::string(kJwt);
  ExpectClass({bearer, lower_bearer}, StringFormat::kNone, kTagJwt);
  // Unsecured JWT: header {"alg":"none"}, empty signature.
  ExpectClass({"eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0."}, StringFormat::kNone, kTagJwt);
}

TEST(ValueClassifierJwtTest, DottedWordsAreNotJwts) {
  ExpectNotTagged({"a.b.c", "1.2.3", "version.1.2", "eyJhbGciOiJIUzI1NiJ9.payload",
                   "eyJzdWIiOiIxMjM0NTY3ODkwIn0.eyJzdWIiOiIxIn0.sig",  // Header without alg.
                   "example.com.au", "e.g.x", "Bearer a.b.c",
                   "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9..sig",  // Empty payload.
                   "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.a.b"},
                  kTagJwt);
}

TEST(ValueClassifierAwsTest, DocumentationExampleKeys) {
  ExpectClass({"AKIAIOSFODNN7EXAMPLE", "ASIAIOSFODNN7EXAMPLE"}, StringFormat::kNone,
              kTagAwsAccessKey);
  ExpectClass({"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}, StringFormat::kNone, kTagAwsSecretKey);
}

// 28% of real secret keys have no '/' or '+'; these random base62 strings stand in for them.
TEST(ValueClassifierAwsTest, RandomBase62SecretWithoutSlashIsSecretKey) {
  ExpectClass(
      {"u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzd", "ocJ2isAjIhKtJ0RlgLKOmxgJTeKdNnFRIBXuDL7D",
       "xtpYlSXpfKtHF4vUCsMehGAkWvj7FAc9QeWJKY40"},
      StringFormat::kNone, kTagAwsSecretKey);
}

TEST(ValueClassifierAwsTest, LookalikesAreNotKeys) {
  ExpectNotTagged({"AKIAIOSFODNN7EXAMPL", "AKIAIOSFODNN7EXAMPLE1", "AKIDIOSFODNN7EXAMPLE",
                   "AKIAIOSFODNN8EXAMPLE", "akiaiosfodnn7example"},
                  kTagAwsAccessKey);
  ExpectNotTagged({"da39a3ee5e6b4b0d3255bfef95601890afd80709",  // SHA-1 hex.
                   "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709",
                   "ThisIsAVeryLongCamelCaseIdentifierName12",  // Few case switches.
                   "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKE",   // 39 chars.
                   "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY"},
                  kTagAwsSecretKey);
}

TEST(ValueClassifierPrivateKeyTest, PemAnywhereInValue) {
  const std::string pem =
      "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeL\n"
      "-----END RSA PRIVATE KEY-----\n";
  ExpectTagged({pem, "{\"key\":\"" + pem + "\"}", "-----BEGIN PRIVATE KEY-----",
                "-----BEGIN OPENSSH PRIVATE KEY-----", "-----BEGIN ENCRYPTED PRIVATE KEY-----",
                "-----BEGIN PGP PRIVATE KEY BLOCK-----"},
               kTagPrivateKey);
  std::string long_value(10000, 'x');
  long_value += pem;
  EXPECT_EQ(ClassifyValue(long_value).tags, kTagPrivateKey);
  ExpectNotTagged({"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
                   "-----BEGIN PUBLIC KEY-----", "-----BEGIN RSA PRIVATE KEY"},
                  kTagPrivateKey);
}

TEST(ValueClassifierLongValueTest, OnlyPemAndJwtAreCheckedPastFourKilobytes) {
  std::string digits(5000, '1');
  EXPECT_EQ(ClassifyValue(digits).tags, 0u);
  std::string email(4090, 'a');
  email += "@example.com";
  EXPECT_EQ(ClassifyValue(email).format, StringFormat::kNone);
  // A JWT with a large payload is still a JWT.
  std::string big_jwt = "eyJhbGciOiJSUzI1NiJ9.";
  big_jwt += std::string(6000, 'A');
  big_jwt += ".sig";
  EXPECT_EQ(ClassifyValue(big_jwt).tags, kTagJwt);
  EXPECT_EQ(ClassifyValue("Bearer " + big_jwt).tags, kTagJwt);
}

// ---------------------------------------------------------------------------------------------
// Common API values must stay untagged.

TEST(ValueClassifierFalsePositiveTest, CommonApiValuesAreNotSensitive) {
  ExpectClass({"",
               "a",
               "ok",
               "active",
               "John",
               "Hello, world!",
               "GET",
               "application/json",
               "42",
               "0",
               "-1",
               "19.99",
               "1,299.00",
               "$12.50",
               "100%",
               "true",
               "null",
               "v1",
               "v2.7.1",
               "1.2.3",
               "1.0.0-beta.1",
               "10.0.19041.1234",
               "5f3e2a1b9c8d7e6f5a4b3c2d",                  // ObjectId.
               "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3",  // SHA-1 hex.
               "d41d8cd98f00b204e9800998ecf8427e",          // MD5 hex.
               "report-2024.pdf",
               "IMG_0042.JPG",
               "photo.jpeg",
               "user_9f3k2",
               "INV-2024-0042",
               "ORD-10023456",
               "1234567890",
               "4155550132",
               "123456789012",
               "1700000000",
               "en-US",
               "Europe/London",
               "+0100",
               "curl/8.4.0",
               "Mozilla/5.0 (X11; Linux)",
               "k7x2mq9p4z",
               "prod",
               "us-east-1",
               "arn:aws:s3:::bucket",
               "12:30",
               "Nf1bAFzVIAMFaAA=",
               "SGVsbG8gd29ybGQ=",
               "e.g.",
               "eyeglasses",
               "BE",
               "AT",
               "Basic dXNlcjpwYXNzd29yZA=="},
              StringFormat::kNone, 0);
}

// ---------------------------------------------------------------------------------------------
// Sensitive names.

TEST(SensitiveTagsForNameTest, Credentials) {
  for (std::string_view name : {"password",
                                "Password",
                                "PASSWORD",
                                "passwd",
                                "pwd",
                                "new_password",
                                "password_confirmation",
                                "passwordHash",
                                "secret",
                                "client_secret",
                                "clientSecret",
                                "token",
                                "access_token",
                                "refreshToken",
                                "X-Auth-Token",
                                "x-amz-security-token",
                                "api_key",
                                "apiKey",
                                "APIKey",
                                "x-api-key",
                                "apikey",
                                "access_key",
                                "secret_access_key",
                                "private_key",
                                "privateKey",
                                "session",
                                "session_id",
                                "sessionId",
                                "JSESSIONID",
                                "cookie",
                                "Cookie",
                                "Set-Cookie",
                                "Authorization",
                                "Proxy-Authorization",
                                "otp",
                                "otp_code",
                                "pin",
                                "pin_code",
                                "cvv",
                                "cvc",
                                "cvv2",
                                "security_code",
                                "Ocp-Apim-Subscription-Key",
                                "password2"}) {
    EXPECT_EQ(SensitiveTagsForName(name), kTagCredential) << name;
  }
}

TEST(SensitiveTagsForNameTest, CredentialLookalikesAreNotCredentials) {
  for (std::string_view name : {"spinner",
                                "pinned",
                                "is_pinned",
                                "tokenizer_version",
                                "token_type",
                                "tokenType",
                                "token_count",
                                "max_tokens",
                                "NextToken",
                                "next_token",
                                "pagination_token",
                                "ClientToken",
                                "idempotency_token",
                                "session_timeout",
                                "sessionCount",
                                "public_key",
                                "primary_key",
                                "sort_key",
                                "key",
                                "secret_name",
                                "SecretId",
                                "passport_photo",
                                "password_policy",
                                "has_password",
                                "cookie_consent",
                                "keyboard",
                                "description"}) {
    EXPECT_EQ(SensitiveTagsForName(name) & kTagCredential, 0u) << name;
  }
}

TEST(SensitiveTagsForNameTest, PersonalDataNames) {
  struct Case {
    std::string_view name;
    uint32_t tags;
  };
  for (const Case& c : std::vector<Case>{
           {"card_number", kTagCardNumber},
           {"cardNumber", kTagCardNumber},
           {"card", kTagCardNumber},
           {"pan", kTagCardNumber},
           {"ccnum", kTagCardNumber},
           {"cc_number", kTagCardNumber},
           {"credit_card_number", kTagCardNumber},
           {"iban", kTagIban},
           {"IBAN", kTagIban},
           {"payee_iban", kTagIban},
           {"ssn", kTagNationalId},
           {"SSN", kTagNationalId},
           {"social_security_number", kTagNationalId},
           {"socialSecurityNumber", kTagNationalId},
           {"national_id", kTagNationalId},
           {"nationalId", kTagNationalId},
           {"nino", kTagNationalId},
           {"national_insurance_number", kTagNationalId},
           {"tax_id", kTagNationalId},
           {"taxId", kTagNationalId},
           {"passport_number", kTagNationalId},
           {"driver_license_number", kTagNationalId},
           {"email", kTagEmail},
           {"e-mail", kTagEmail},
           {"E-Mail", kTagEmail},
           {"emailAddress", kTagEmail},
           {"user_email", kTagEmail},
           {"phone", kTagPhone},
           {"phone_number", kTagPhone},
           {"phoneNumber", kTagPhone},
           {"mobile", kTagPhone},
           {"tel", kTagPhone},
           {"mobile_no", kTagPhone},
           {"ip", kTagIpAddress},
           {"ip_address", kTagIpAddress},
           {"ipAddress", kTagIpAddress},
           {"IPAddress", kTagIpAddress},
           {"sourceIp", kTagIpAddress},
           {"client_ip", kTagIpAddress},
           {"remote_addr", kTagIpAddress},
           {"X-Forwarded-For", kTagIpAddress},
           {"x-forwarded-for", kTagIpAddress},
           {"X-Real-IP", kTagIpAddress},
           {"userIPv4", kTagIpAddress},
       }) {
    EXPECT_EQ(TagsToString(SensitiveTagsForName(c.name)), TagsToString(c.tags)) << c.name;
  }
}

TEST(SensitiveTagsForNameTest, LookalikesAreNotPersonalData) {
  for (std::string_view name : {"description",
                                "zip",
                                "tip",
                                "ship_to",
                                "ip_whitelist",
                                "email_verified",
                                "emailVerified",
                                "is_mobile",
                                "phone_type",
                                "card_type",
                                "card_brand",
                                "cardholder_name",
                                "card_last4",
                                "scorecard",
                                "panel",
                                "company",
                                "telemetry",
                                "mailbox_size",
                                "",
                                "_",
                                "--",
                                "123",
                                "ssn_verified",
                                "national",
                                "address",
                                "street_address",
                                "version",
                                "username",
                                "id",
                                "user_id",
                                "order_number",
                                "track_number"}) {
    EXPECT_EQ(SensitiveTagsForName(name), 0u) << name;
  }
}

TEST(SensitiveTagsForNameTest, LongAndOddNames) {
  EXPECT_EQ(
      SensitiveTagsForName("a_very_long_field_name_with_many_many_words_for_the_user_password"),
      kTagCredential);
  EXPECT_EQ(SensitiveTagsForName(std::string(300, 'p')), 0u);
  EXPECT_EQ(SensitiveTagsForName("p\xc3\xa4ssword"), 0u);
  EXPECT_EQ(SensitiveTagsForName("user.contact.phone"), kTagPhone);
  EXPECT_EQ(SensitiveTagsForName("billing/card_number"), kTagCardNumber);
  EXPECT_EQ(SensitiveTagsForName("PASSWORD_HASH"), kTagCredential);
}

// ---------------------------------------------------------------------------------------------
// Redaction.

// The longest run of consecutive digits in `s` that also occurs in `original`.
size_t LongestSharedDigitRun(std::string_view s, std::string_view original) {
  size_t best = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    size_t j = i;
    while (j < s.size() && s[j] >= '0' && s[j] <= '9') ++j;
    for (size_t len = j - i; len > best; --len) {
      if (original.find(s.substr(i, len)) != std::string_view::npos) {
        best = len;
        break;
      }
    }
    if (j > i) i = j - 1;
  }
  return best;
}

std::string DigitsOf(std::string_view s) {
  std::string d;
  for (char c : s) {
    if (c >= '0' && c <= '9') d += c;
  }
  return d;
}

TEST(RedactValueTest, CardsKeepOnlyLastFour) {
  for (std::string_view card : {"4111111111111111", "4111 1111 1111 1111", "378282246310005",
                                "6205500000000000004", "5555-5555-5555-4444"}) {
    const uint32_t tags = ClassifyValue(card).tags;
    ASSERT_EQ(tags, kTagCardNumber) << card;
    const std::string r = RedactValue(card, tags);
    const std::string digits = DigitsOf(card);
    EXPECT_EQ(r, "****-****-****-" + digits.substr(digits.size() - 4)) << card;
    EXPECT_LE(LongestSharedDigitRun(r, digits), 4u) << r;
    EXPECT_EQ(r.find(digits.substr(0, 6)), std::string::npos) << r;
  }
  EXPECT_EQ(RedactValue("1234", kTagCardNumber), "****-****-****-****");
}

TEST(RedactValueTest, EmailKeepsFirstCharAndTld) {
  EXPECT_EQ(RedactValue("jane.doe@example.com", kTagEmail), "j***@***.com");
  EXPECT_EQ(RedactValue("Bob@Mail.Example.CO.UK", kTagEmail), "B***@***.uk");
  EXPECT_EQ(RedactValue("not an email", kTagEmail), "***@***");
  EXPECT_EQ(RedactValue("x@host.123", kTagEmail), "x***@***.***");
}

TEST(RedactValueTest, IbanKeepsOnlyCountry) {
  EXPECT_EQ(RedactValue("DE89370400440532013000", kTagIban), "DE** **** **** **** **** **");
  EXPECT_EQ(RedactValue("GB82 WEST 1234 5698 7654 32", kTagIban), "GB** **** **** **** **** **");
}

TEST(RedactValueTest, PhoneKeepsLastTwoDigits) {
  EXPECT_EQ(RedactValue("+1 (415) 555-0132", kTagPhone), "+** *** *** **32");
  EXPECT_EQ(RedactValue("555", kTagPhone), "+** *** *** ****");
}

TEST(RedactValueTest, TokensAndKeys) {
  EXPECT_EQ(RedactValue(kJwt, kTagJwt), "eyJ***.***.***");
  EXPECT_EQ(RedactValue("Bearer " + std::string(kJwt), kTagJwt), "Bearer eyJ***.***.***");
  EXPECT_EQ(RedactValue("a.b.c", kTagJwt), "***");
  EXPECT_EQ(RedactValue("AKIAIOSFODNN7EXAMPLE", kTagAwsAccessKey), "AKIA****************");
  EXPECT_EQ(RedactValue("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", kTagAwsSecretKey), "***");
  EXPECT_EQ(RedactValue("-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg\n", kTagPrivateKey),
            "-----BEGIN *** PRIVATE KEY----- [redacted]");
  EXPECT_EQ(RedactValue("hunter2", kTagCredential), "***");
}

TEST(RedactValueTest, IpKeepsFirstOctetOrGroup) {
  EXPECT_EQ(RedactValue("203.0.113.7", kTagIpAddress), "203.x.x.x");
  EXPECT_EQ(RedactValue("2001:db8::1", kTagIpAddress), "2001:x:x:x:x:x:x:x");
  EXPECT_EQ(RedactValue("::1", kTagIpAddress), "::x");
  EXPECT_EQ(RedactValue("203.0.113.7, 10.0.0.1", kTagIpAddress), "203.x.x.x, ...");
  EXPECT_EQ(RedactValue("unknown", kTagIpAddress), "x.x.x.x");
}

TEST(RedactValueTest, NationalIdKeepsSeparatorsOnly) {
  EXPECT_EQ(RedactValue("123-45-6789", kTagNationalId), "***-**-****");
  EXPECT_EQ(RedactValue("AB 12 34 56 C", kTagNationalId), "** ** ** ** *");
}

TEST(RedactValueTest, UntaggedValuesBecomeCappedShapes) {
  EXPECT_EQ(RedactValue("Order-42 ok", 0), "Aaaaa-99 aa");
  EXPECT_EQ(RedactValue("48752d0f-c99d-4cfa-a5a7-f3c6834d19e5", 0),
            "99999a9a-a99a-9aaa-a9a9-a9a9999a");
  EXPECT_EQ(RedactValue("caf\xc3\xa9\x01", 0), "aaaa?");
  EXPECT_EQ(RedactValue("", 0), "");
}

TEST(RedactValueTest, NeverLeaksDigitRunsAndStaysBounded) {
  const std::vector<std::string> values = {"4111111111111111",
                                           "DE89370400440532013000",
                                           "123-45-6789",
                                           "+44 20 7946 0958",
                                           "jane.doe12345@example.com",
                                           std::string(kJwt),
                                           "AKIAIOSFODNN7EXAMPLE",
                                           "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                                           "203.0.113.7",
                                           "2001:db8:1234:5678::1",
                                           "hunter2-123456",
                                           std::string(5000, '7'),
                                           "12345678-1234-1234-1234-123456789012"};
  for (const std::string& v : values) {
    for (uint32_t tags = 0; tags <= kAllTags; tags = tags == 0 ? 1 : tags << 1) {
      for (uint32_t extra : {0u, ClassifyValue(v).tags, kAllTags}) {
        const std::string r = RedactValue(v, tags | extra);
        EXPECT_LE(r.size(), 64u) << v;
        EXPECT_NE(r, v) << "tags " << (tags | extra);
        // Only shapes keep runs of more than four digits, and a shape's digits are all 9s.
        for (size_t i = 0; i < r.size();) {
          size_t j = i;
          bool all_nines = true;
          while (j < r.size() && r[j] >= '0' && r[j] <= '9') all_nines &= r[j++] == '9';
          EXPECT_TRUE(j - i <= 4 || all_nines) << r;
          i = j == i ? i + 1 : j;
        }
      }
    }
  }
}

}  // namespace
}  // namespace gatescope::classify
