"""The gateway's public API, as an OpenAPI 3.0 document served at /api/openapi.json."""

from __future__ import annotations

_ERROR = {
    "description": "Clear JSON error",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}


def document() -> dict:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Trusted Trader Assistant gateway",
            "version": "1.0.0",
            "description": "Chat API of the Partners in Protection assistant (English/French). "
            "Every POST route takes `Content-Type: application/json` (else 415) and a JSON object "
            "at most 20 levels deep, without repeated keys, with finite numbers of at most 30 digits "
            "and valid Unicode text (else 400 with `error` = `invalid_json`, `json_too_deep`, "
            "`duplicate_key`, `invalid_number`, `invalid_text` or `invalid_request`).",
        },
        "paths": {
            "/api/chat": {
                "post": {
                    "summary": "Send a message; the HttpOnly session cookie keeps the conversation.",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ChatRequest"}}},
                    },
                    "responses": {
                        "200": {
                            "description": "Replies",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ChatResponse"}}},
                        },
                        "400": _ERROR,
                        "413": _ERROR,
                        "415": _ERROR,
                        "429": _ERROR,
                        "503": _ERROR,
                    },
                }
            },
            "/api/feedback": {
                "post": {
                    "summary": "Was an answer helpful?",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Feedback"}}},
                    },
                    "responses": {
                        "200": {"description": "Stored"},
                        "400": _ERROR,
                        "415": _ERROR,
                        "429": _ERROR,
                        "503": _ERROR,
                    },
                }
            },
            "/api/transcript": {
                "get": {
                    "summary": "The caller's own conversation",
                    "description": "The trader session's conversation; for a signed-in agent sending "
                    "X-CSRF-Token (the console), the agent-mode conversation instead.",
                    "responses": {
                        "200": {
                            "description": "Transcript (chat_id null and no messages for a new session)",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Transcript"}}},
                        },
                        "503": _ERROR,
                    },
                }
            },
            "/api/session/restart": {
                "post": {
                    "summary": "Start over with a new conversation (body: an empty JSON object)",
                    "description": "With a signed-in agent's X-CSRF-Token, only the agent-mode "
                    "conversation starts over (the console sends this when closed).",
                    "responses": {"200": {"description": "OK"}, "400": _ERROR, "415": _ERROR},
                }
            },
            "/api/agent/login": {
                "post": {
                    "summary": "Agent sign-in; sets the agent cookie and returns the CSRF token",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Login"}}},
                    },
                    "responses": {
                        "200": {"description": "Signed in"},
                        "400": _ERROR,
                        "401": _ERROR,
                        "415": _ERROR,
                        "429": _ERROR,
                    },
                }
            },
            "/api/agent/logout": {
                "post": {
                    "summary": "Agent sign-out: ends the session the agent cookie names and clears the cookie "
                    "(body: an empty JSON object)",
                    "responses": {"200": {"description": "Signed out"}, "400": _ERROR, "415": _ERROR},
                }
            },
            "/api/agent/me": {
                "get": {
                    "summary": "The signed-in agent and the CSRF token of the session",
                    "responses": {"200": {"description": "Signed in"}, "401": _ERROR},
                }
            },
            "/api/agent/applications": {
                "get": {
                    "summary": "Agent look-up by reference or business number (X-CSRF-Token required)",
                    "parameters": [
                        {
                            "name": "query",
                            "in": "query",
                            "description": "what the agent typed: a reference (PIP or PEP, any separators), "
                            "a business number or program account, or both; the gateway finds them in it",
                            "schema": {"type": "string"},
                        },
                        {"name": "reference", "in": "query", "schema": {"type": "string"}},
                        {"name": "business_number", "in": "query", "schema": {"type": "string"}},
                    ],
                    "description": "With both a reference and a business number, the reference decides and a `warning` "
                    "says when the business number does not match; `query` in the answer says what was looked up "
                    '(`by` "reference" or "business_number", and the `value` as the gateway read it). '
                    "Errors follow Accept-Language (or ?lang=fr).",
                    "responses": {
                        "200": {
                            "description": "Applications with history, what was looked up, and an optional warning"
                        },
                        "400": _ERROR,
                        "401": _ERROR,
                        "403": _ERROR,
                    },
                }
            },
            "/api/agent/transcript": {
                "get": {
                    "summary": "A trader's transcript by chat ID (X-CSRF-Token required)",
                    "parameters": [{"name": "chat_id", "in": "query", "required": True, "schema": {"type": "string"}}],
                    "responses": {
                        "200": {
                            "description": "Transcript",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Transcript"}}},
                        },
                        "400": _ERROR,
                        "401": _ERROR,
                        "403": _ERROR,
                        "404": _ERROR,
                    },
                }
            },
            "/api/agent/insights": {
                "get": {
                    "summary": "Counts of the last N days: conversations, questions, languages, topics with feedback, "
                    "declined, handed over, per day (X-CSRF-Token required)",
                    "parameters": [
                        {
                            "name": "days",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1, "maximum": 366, "default": 7},
                        }
                    ],
                    "responses": {
                        "200": {"description": "Insights"},
                        "400": _ERROR,
                        "401": _ERROR,
                        "403": _ERROR,
                        "503": _ERROR,
                    },
                }
            },
            "/api/agent/inbox": {
                "get": {
                    "summary": "Questions declined or answered with low confidence, masked, newest first, not yet "
                    "reviewed (X-CSRF-Token required)",
                    "responses": {"200": {"description": "Items"}, "401": _ERROR, "403": _ERROR, "503": _ERROR},
                }
            },
            "/api/agent/inbox/{id}": {
                "post": {
                    "summary": "An agent's decision on a question: a topic id, out_of_scope or ignore (audited; "
                    "X-CSRF-Token required)",
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["topic"],
                                    "properties": {"topic": {"type": "string"}},
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": {"description": "Recorded"},
                        "400": _ERROR,
                        "401": _ERROR,
                        "403": _ERROR,
                        "404": _ERROR,
                        "503": _ERROR,
                    },
                }
            },
            "/healthz": {
                "get": {
                    "summary": "200 when the gateway and a Rasa server with its action server answer",
                    "description": "`parts` names each part and whether it is `ok` or `down`; "
                    "with several Rasa servers, `status` is `degraded` while one is down.",
                    "responses": {
                        "200": {"description": "Serving (status ok or degraded)"},
                        "503": {"description": "Not serving: a part is down"},
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "ChatRequest": {
                    "type": "object",
                    "required": ["message"],
                    "properties": {
                        "message": {"type": "string", "minLength": 1, "maxLength": 2000},
                        "lang": {"type": "string", "enum": ["en", "fr"]},
                    },
                },
                "ChatResponse": {
                    "type": "object",
                    "required": ["chat_id", "messages"],
                    "properties": {
                        "chat_id": {"type": "string", "pattern": "^[0-9A-Z]{3}-[0-9A-Z]{4}$"},
                        "messages": {"type": "array", "items": {"$ref": "#/components/schemas/Message"}},
                    },
                },
                "Message": {
                    "type": "object",
                    "required": ["text", "topic", "sources", "buttons", "lang"],
                    "properties": {
                        "text": {"type": "string"},
                        "topic": {"type": "string"},
                        "answer": {
                            "type": "string",
                            "description": "id of the specific answer given, e.g. cost/site_validation_fee",
                        },
                        "lang": {
                            "type": "string",
                            "enum": ["en", "fr"],
                            "description": "the language the text is written in",
                        },
                        "sources": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {"title": {"type": "string"}, "url": {"type": "string"}},
                            },
                        },
                        "buttons": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {"title": {"type": "string"}, "payload": {"type": "string"}},
                            },
                        },
                        "last_checked": {"type": "string"},
                    },
                },
                "Transcript": {
                    "type": "object",
                    "required": ["chat_id", "messages"],
                    "properties": {
                        "chat_id": {"type": "string", "nullable": True, "pattern": "^[0-9A-Z]{3}-[0-9A-Z]{4}$"},
                        "messages": {"type": "array", "items": {"$ref": "#/components/schemas/TranscriptLine"}},
                    },
                },
                "TranscriptLine": {
                    "type": "object",
                    "required": ["at", "role", "text", "topic", "lang"],
                    "properties": {
                        "at": {"type": "string", "format": "date-time", "description": "when it was said (UTC)"},
                        "role": {"type": "string", "enum": ["user", "bot"]},
                        "text": {"type": "string", "description": "personal numbers masked"},
                        "topic": {"type": "string", "nullable": True},
                        "lang": {
                            "type": "string",
                            "enum": ["en", "fr"],
                            "nullable": True,
                            "description": "the language of the line: a question takes the language of the reply "
                            "it got (the page's when it got none), a reply its own; null on lines stored before "
                            "languages were recorded (show them in the page's language)",
                        },
                    },
                },
                "Feedback": {
                    "type": "object",
                    "required": ["topic", "helpful"],
                    "properties": {
                        "topic": {"type": "string"},
                        "helpful": {"type": "boolean"},
                        "reason": {
                            "type": "string",
                            "enum": ["saved_call", "not_what_i_asked", "unclear", "broken_link", "other"],
                        },
                    },
                },
                "Login": {
                    "type": "object",
                    "required": ["username", "password"],
                    "properties": {"username": {"type": "string"}, "password": {"type": "string"}},
                },
                "Error": {
                    "type": "object",
                    "required": ["error", "message"],
                    "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
                },
            }
        },
    }
