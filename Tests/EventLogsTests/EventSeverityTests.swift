import EventLogs
import Testing

struct EventSeverityTests {
    @Test func normalIsInfoWarningIsWarn() {
        #expect(EventSeverity(eventType: "Normal") == EventSeverity(number: 9, text: "Normal"))
        #expect(EventSeverity(eventType: "Warning") == EventSeverity(number: 13, text: "Warning"))
    }

    @Test func unknownTypesKeepTheirTextAndLeaveTheNumberUnspecified() {
        #expect(EventSeverity(eventType: "Critical") == EventSeverity(number: 21, text: "Critical"))
        #expect(EventSeverity(eventType: "error") == EventSeverity(number: 17, text: "error"))
        #expect(EventSeverity(eventType: "Bogus") == EventSeverity(number: 0, text: "Bogus"))
        #expect(EventSeverity(eventType: "") == EventSeverity(number: 0, text: ""))
    }
}
