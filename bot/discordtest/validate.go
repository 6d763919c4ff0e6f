package discordtest

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Discord's documented message limits
// (discord-api-docs resources/message.md, resources/channel.md "Embed Limits",
// components/reference.md).
const (
	maxContent       = 2000
	maxEmbeds        = 10
	maxEmbedTitle    = 256
	maxDescription   = 4096
	maxFields        = 25
	maxFieldName     = 256
	maxFieldValue    = 1024
	maxFooter        = 2048
	maxAuthor        = 256
	maxEmbedTotal    = 6000
	maxRows          = 5
	maxRowButtons    = 5
	maxCustomID      = 100
	maxButtonLabel   = 80
	maxChoices       = 25
	maxChoiceName    = 100
	maxChoiceValue   = 100
	maxCommands      = 100
	maxOptions       = 25
	maxCommandName   = 32
	maxDescriptionCm = 100
	maxCommandChars  = 8000
)

// formError is Discord's 400 "Invalid Form Body", naming the field.
func formError(format string, a ...any) (int, any) {
	return 400, errBody(50035, "Invalid Form Body: "+fmt.Sprintf(format, a...))
}

func runes(v any) int {
	s, _ := v.(string)
	return utf8.RuneCountInString(s)
}

// validate rejects a message body Discord would reject. create is true
// for a new message, which must not be empty.
func validate(d map[string]any, create bool) (int, any) {
	if runes(d["content"]) > maxContent {
		return formError("content: must be %d or fewer in length", maxContent)
	}
	embeds, _ := d["embeds"].([]any)
	if len(embeds) > maxEmbeds {
		return formError("embeds: must be %d or fewer in length", maxEmbeds)
	}
	total := 0
	for i, e := range embeds {
		n, code, body := validateEmbed(i, e)
		if code != 0 {
			return code, body
		}
		total += n
	}
	if total > maxEmbedTotal {
		return formError("embeds: embed size %d exceeds maximum size of %d", total, maxEmbedTotal)
	}
	rows, _ := d["components"].([]any)
	if code, body := validateComponents(rows); code != 0 {
		return code, body
	}
	if create && runes(d["content"]) == 0 && len(embeds) == 0 && len(rows) == 0 && d["attachments"] == nil && d["sticker_ids"] == nil {
		return 400, errBody(50006, "Cannot send an empty message")
	}
	return 0, nil
}

// validateEmbed checks one embed and returns its size toward the 6,000
// characters all embeds of a message may hold.
func validateEmbed(i int, e any) (int, int, any) {
	em, _ := e.(map[string]any)
	check := func(field string, v any, limit int) (int, any) {
		if runes(v) > limit {
			return formError("embeds.%d.%s: must be %d or fewer in length", i, field, limit)
		}
		return 0, nil
	}
	total := runes(em["title"]) + runes(em["description"])
	if c, b := check("title", em["title"], maxEmbedTitle); c != 0 {
		return 0, c, b
	}
	if c, b := check("description", em["description"], maxDescription); c != 0 {
		return 0, c, b
	}
	fields, _ := em["fields"].([]any)
	if len(fields) > maxFields {
		return 0, 400, errBody(50035, fmt.Sprintf("Invalid Form Body: embeds.%d.fields: must be %d or fewer in length", i, maxFields))
	}
	for j, f := range fields {
		fm, _ := f.(map[string]any)
		if c, b := check(fmt.Sprintf("fields.%d.name", j), fm["name"], maxFieldName); c != 0 {
			return 0, c, b
		}
		if c, b := check(fmt.Sprintf("fields.%d.value", j), fm["value"], maxFieldValue); c != 0 {
			return 0, c, b
		}
		total += runes(fm["name"]) + runes(fm["value"])
	}
	if ft, ok := em["footer"].(map[string]any); ok {
		if c, b := check("footer.text", ft["text"], maxFooter); c != 0 {
			return 0, c, b
		}
		total += runes(ft["text"])
	}
	if au, ok := em["author"].(map[string]any); ok {
		if c, b := check("author.name", au["name"], maxAuthor); c != 0 {
			return 0, c, b
		}
		total += runes(au["name"])
	}
	return total, 0, nil
}

// validateComponents checks action rows of buttons: at most 5 rows of 1 to
// 5 buttons, custom IDs of at most 100 characters and unique in the
// message, link buttons with a URL and no custom ID.
func validateComponents(rows []any) (int, any) {
	if len(rows) > maxRows {
		return formError("components: must be %d or fewer in length", maxRows)
	}
	seen := map[string]bool{}
	for i, r := range rows {
		rm, _ := r.(map[string]any)
		if t, _ := rm["type"].(float64); t != 1 {
			return formError("components.%d.type: a top-level component must be an action row (type 1)", i)
		}
		cs, _ := rm["components"].([]any)
		if len(cs) > maxRowButtons || len(cs) == 0 {
			return formError("components.%d.components: must be between 1 and %d in length", i, maxRowButtons)
		}
		for j, c := range cs {
			cm, _ := c.(map[string]any)
			id, _ := cm["custom_id"].(string)
			style, _ := cm["style"].(float64)
			where := fmt.Sprintf("components.%d.components.%d", i, j)
			switch {
			case utf8.RuneCountInString(id) > maxCustomID:
				return formError("%s.custom_id: must be %d or fewer in length", where, maxCustomID)
			case runes(cm["label"]) > maxButtonLabel:
				return formError("%s.label: must be %d or fewer in length", where, maxButtonLabel)
			case style == 5 && (id != "" || cm["url"] == nil):
				return formError("%s: a link button needs a url and no custom_id", where)
			case style != 5 && id == "":
				return formError("%s.custom_id: this field is required", where)
			case id != "" && seen[id]:
				return formError("%s.custom_id: component custom id cannot be duplicated", where)
			}
			seen[id] = true
		}
	}
	return 0, nil
}

// validateChoices checks an autocomplete result.
func validateChoices(choices []any) (int, any) {
	if len(choices) > maxChoices {
		return formError("data.choices: must be %d or fewer in length", maxChoices)
	}
	for i, c := range choices {
		cm, _ := c.(map[string]any)
		if n := runes(cm["name"]); n < 1 || n > maxChoiceName {
			return formError("data.choices.%d.name: must be between 1 and %d in length", i, maxChoiceName)
		}
		if runes(cm["value"]) > maxChoiceValue {
			return formError("data.choices.%d.value: must be %d or fewer in length", i, maxChoiceValue)
		}
	}
	return 0, nil
}

// commandName is Discord's pattern for command and option names; chat
// input names must also be lower case.
var commandName = regexp.MustCompile(`^[-_'\p{L}\p{N}\p{Devanagari}\p{Thai}]{1,32}$`)

// validateCommands checks a bulk overwrite as Discord documents
// (interactions/application-commands.md): names, descriptions of 1-100
// characters, at most 25 options and 25 choices, required options first,
// unique names, at most 100 commands, and at most 8,000 characters of
// names, descriptions and values per command.
func validateCommands(cmds []map[string]any) (int, any) {
	if len(cmds) > maxCommands {
		return formError("must be %d or fewer in length", maxCommands)
	}
	seen := map[string]bool{}
	for i, c := range cmds {
		name, _ := c["name"].(string)
		if seen[name] {
			return 400, errBody(50035, fmt.Sprintf("Invalid Form Body: %d.name: Application command names must be unique", i))
		}
		seen[name] = true
		chars, code, body := validateOption(fmt.Sprint(i), c, true)
		if code != 0 {
			return code, body
		}
		if chars > maxCommandChars {
			return formError("%d: Command exceeds maximum size (%d)", i, maxCommandChars)
		}
	}
	return 0, nil
}

// validateOption checks a command (top) or one of its options, recursively,
// and returns the characters of its names, descriptions and choice values.
func validateOption(at string, o map[string]any, top bool) (int, int, any) {
	name, _ := o["name"].(string)
	desc, _ := o["description"].(string)
	if t, _ := o["type"].(float64); top && t > 1 { // user and message commands: free-form names, no description
		if n := utf8.RuneCountInString(name); n < 1 || n > maxCommandName {
			c, b := formError("%s.name: Must be between 1 and %d in length.", at, maxCommandName)
			return 0, c, b
		}
		return utf8.RuneCountInString(name), 0, nil
	}
	if !commandName.MatchString(name) || name != strings.ToLower(name) {
		c, b := formError("%s.name: Command name is invalid", at)
		return 0, c, b
	}
	if n := utf8.RuneCountInString(desc); n < 1 || n > maxDescriptionCm {
		c, b := formError("%s.description: Must be between 1 and %d in length.", at, maxDescriptionCm)
		return 0, c, b
	}
	chars := utf8.RuneCountInString(name) + utf8.RuneCountInString(desc)
	opts, _ := o["options"].([]any)
	if len(opts) > maxOptions {
		c, b := formError("%s.options: Must be %d or fewer in length.", at, maxOptions)
		return 0, c, b
	}
	optional := false
	for j, x := range opts {
		om, _ := x.(map[string]any)
		where := fmt.Sprintf("%s.options.%d", at, j)
		req, _ := om["required"].(bool)
		if req && optional {
			c, b := formError("%s.required: Required options must be placed before non-required options", where)
			return 0, c, b
		}
		optional = optional || !req
		n, c, b := validateOption(where, om, false)
		if c != 0 {
			return 0, c, b
		}
		chars += n
	}
	choices, _ := o["choices"].([]any)
	if len(choices) > maxChoices {
		c, b := formError("%s.choices: Must be %d or fewer in length.", at, maxChoices)
		return 0, c, b
	}
	if ac, _ := o["autocomplete"].(bool); ac && len(choices) > 0 {
		c, b := formError("%s.autocomplete: Autocomplete and choices cannot both be set", at)
		return 0, c, b
	}
	for j, x := range choices {
		cm, _ := x.(map[string]any)
		if n := runes(cm["name"]); n < 1 || n > maxChoiceName {
			c, b := formError("%s.choices.%d.name: Must be between 1 and %d in length.", at, j, maxChoiceName)
			return 0, c, b
		}
		chars += runes(cm["name"]) + runes(fmt.Sprint(cm["value"]))
	}
	return chars, 0, nil
}
