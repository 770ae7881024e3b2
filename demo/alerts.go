package demo

import (
	"context"
	"time"

	"github.com/amparo-project/amparo"
)

// seedAlerts gives the client of a valid letter a response plan, and
// plays one alert through: raised from the phone page three hours ago,
// messaged, escalated to a voice call after the plan's wait, acknowledged
// by the hotline's reply, and resolved with the client released. Every
// name and number is fictional (555 numbers).
func seedAlerts(ctx context.Context, s Store, letterID string, now time.Time, setNow func(time.Time)) (int, error) {
	l, err := s.FindLetterByID(ctx, letterID)
	if err != nil {
		return 0, err
	}
	staff := amparo.NewContextWithActor(ctx, amparo.Actor{ID: "demo-hotline", Role: amparo.RoleIntake, OrganizationID: l.OrganizationID})
	plan := &amparo.ResponsePlan{ClientID: l.ClientID,
		Messages: map[string]string{"es": "Estoy con mis hijos. Llamen a mi hermana.", "en": "My children are with me. Call my sister."},
		Responders: []amparo.Responder{
			{Kind: amparo.ResponderAttorney, Name: "Abogada de guardia (ficticia)", Phone: "+12135550170", Language: "en",
				Channels: []amparo.Channel{amparo.ChannelSMS, amparo.ChannelVoice}},
			{Kind: amparo.ResponderHotline, Name: "Línea de ayuda (ficticia)", Phone: "+12135550171", Language: "es",
				Channels: []amparo.Channel{amparo.ChannelSMS, amparo.ChannelVoice}},
			{Kind: amparo.ResponderContact, Name: "Marta Ejemplo", Phone: "+12135550172", Email: "marta.ejemplo@example.org", Language: "es",
				Relation: "hermana", Consent: true, Channels: []amparo.Channel{amparo.ChannelSMS, amparo.ChannelEmail}},
		}}
	if err := s.SetResponsePlan(staff, plan); err != nil {
		return 0, err
	}
	start := now.Add(-3 * time.Hour)
	setNow(start)
	a, _, err := s.RaiseAlert(staff, amparo.RaiseAlertRequest{Key: "demo-alert-1", Source: amparo.AlertFromHotline, ClientID: l.ClientID})
	if err != nil {
		return 0, err
	}
	setNow(start.Add(2 * time.Minute))
	if _, err := s.EscalateAlert(ctx, a.ID, 1); err != nil {
		return 0, err
	}
	setNow(start.Add(3 * time.Minute))
	if _, err := s.AcknowledgeBySMS(ctx, "+12135550171"); err != nil {
		return 0, err
	}
	setNow(start.Add(95 * time.Minute))
	if err := s.ResolveAlert(staff, a.ID, "client_released", "Released after the G-28 was shown.",
		amparo.Checklist{Facility: "Demo Processing Center", NextSteps: "Follow-up appointment on Monday."}); err != nil {
		return 0, err
	}
	setNow(now)
	return 1, nil
}
