export type Json =
  | string
  | number
  | boolean
  | null
  | { [key: string]: Json | undefined }
  | Json[]

export type Database = {
  public: {
    Tables: {
      ai_agents: {
        Row: {
          auto_reply: boolean
          channel_id: string | null
          created_at: string
          handoff_rules: Json
          id: string
          instructions: string | null
          lead_qualification_fields: Json
          max_output_tokens: number
          model: string
          name: string
          persona: string | null
          status: string
          temperature: number
          updated_at: string
          workspace_id: string
        }
        Insert: {
          auto_reply?: boolean
          channel_id?: string | null
          created_at?: string
          handoff_rules?: Json
          id?: string
          instructions?: string | null
          lead_qualification_fields?: Json
          max_output_tokens?: number
          model?: string
          name: string
          persona?: string | null
          status?: string
          temperature?: number
          updated_at?: string
          workspace_id: string
        }
        Update: {
          auto_reply?: boolean
          channel_id?: string | null
          created_at?: string
          handoff_rules?: Json
          id?: string
          instructions?: string | null
          lead_qualification_fields?: Json
          max_output_tokens?: number
          model?: string
          name?: string
          persona?: string | null
          status?: string
          temperature?: number
          updated_at?: string
          workspace_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "ai_agents_channel_fkey"
            columns: ["workspace_id", "channel_id"]
            isOneToOne: false
            referencedRelation: "channels"
            referencedColumns: ["workspace_id", "id"]
          },
          {
            foreignKeyName: "ai_agents_workspace_id_fkey"
            columns: ["workspace_id"]
            isOneToOne: false
            referencedRelation: "workspaces"
            referencedColumns: ["id"]
          },
        ]
      }
      automations: {
        Row: {
          actions: Json
          active: boolean
          conditions: Json
          created_at: string
          created_by: string | null
          description: string | null
          event_name: string
          id: string
          name: string
          updated_at: string
          workspace_id: string
        }
        Insert: {
          actions: Json
          active?: boolean
          conditions?: Json
          created_at?: string
          created_by?: string | null
          description?: string | null
          event_name: string
          id?: string
          name: string
          updated_at?: string
          workspace_id: string
        }
        Update: {
          actions?: Json
          active?: boolean
          conditions?: Json
          created_at?: string
          created_by?: string | null
          description?: string | null
          event_name?: string
          id?: string
          name?: string
          updated_at?: string
          workspace_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "automations_created_by_fkey"
            columns: ["created_by"]
            isOneToOne: false
            referencedRelation: "profiles"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "automations_workspace_id_fkey"
            columns: ["workspace_id"]
            isOneToOne: false
            referencedRelation: "workspaces"
            referencedColumns: ["id"]
          },
        ]
      }
      canned_responses: {
        Row: {
          content: string
          created_at: string
          id: string
          short_code: string
          updated_at: string
          workspace_id: string
        }
        Insert: {
          content: string
          created_at?: string
          id?: string
          short_code: string
          updated_at?: string
          workspace_id: string
        }
        Update: {
          content?: string
          created_at?: string
          id?: string
          short_code?: string
          updated_at?: string
          workspace_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "canned_responses_workspace_id_fkey"
            columns: ["workspace_id"]
            isOneToOne: false
            referencedRelation: "workspaces"
            referencedColumns: ["id"]
          },
        ]
      }
      channels: {
        Row: {
          created_at: string
          id: string
          name: string
          phone_number: string | null
          phone_number_id: string | null
          settings: Json
          status: string
          test_mode: boolean
          type: string
          updated_at: string
          workspace_id: string
        }
        Insert: {
          created_at?: string
          id?: string
          name: string
          phone_number?: string | null
          phone_number_id?: string | null
          settings?: Json
          status?: string
          test_mode?: boolean
          type: string
          updated_at?: string
          workspace_id: string
        }
        Update: {
          created_at?: string
          id?: string
          name?: string
          phone_number?: string | null
          phone_number_id?: string | null
          settings?: Json
          status?: string
          test_mode?: boolean
          type?: string
          updated_at?: string
          workspace_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "channels_workspace_id_fkey"
            columns: ["workspace_id"]
            isOneToOne: false
            referencedRelation: "workspaces"
            referencedColumns: ["id"]
          },
        ]
      }
      contacts: {
        Row: {
          avatar_url: string | null
          blocked: boolean
          created_at: string
          custom_attributes: Json
          email: string | null
          id: string
          name: string | null
          phone: string | null
          search: unknown
          tags: string[]
          updated_at: string
          wa_id: string | null
          workspace_id: string
        }
        Insert: {
          avatar_url?: string | null
          blocked?: boolean
          created_at?: string
          custom_attributes?: Json
          email?: string | null
          id?: string
          name?: string | null
          phone?: string | null
          search?: unknown
          tags?: string[]
          updated_at?: string
          wa_id?: string | null
          workspace_id: string
        }
        Update: {
          avatar_url?: string | null
          blocked?: boolean
          created_at?: string
          custom_attributes?: Json
          email?: string | null
          id?: string
          name?: string | null
          phone?: string | null
          search?: unknown
          tags?: string[]
          updated_at?: string
          wa_id?: string | null
          workspace_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "contacts_workspace_id_fkey"
            columns: ["workspace_id"]
            isOneToOne: false
            referencedRelation: "workspaces"
            referencedColumns: ["id"]
          },
        ]
      }
      conversations: {
        Row: {
          ai_enabled: boolean
          assignee_id: string | null
          channel_id: string
          contact_id: string
          created_at: string
          custom_attributes: Json
          first_response_at: string | null
          handoff_at: string | null
          handoff_reason: string | null
          handoff_state: string
          id: string
          last_inbound_at: string | null
          last_message_at: string | null
          priority: string | null
          resolved_at: string | null
          snoozed_until: string | null
          status: string
          subject: string | null
          tags: string[]
          team_id: string | null
          unread_count: number
          updated_at: string
          workspace_id: string
        }
        Insert: {
          ai_enabled?: boolean
          assignee_id?: string | null
          channel_id: string
          contact_id: string
          created_at?: string
          custom_attributes?: Json
          first_response_at?: string | null
          handoff_at?: string | null
          handoff_reason?: string | null
          handoff_state?: string
          id?: string
          last_inbound_at?: string | null
          last_message_at?: string | null
          priority?: string | null
          resolved_at?: string | null
          snoozed_until?: string | null
          status?: string
          subject?: string | null
          tags?: string[]
          team_id?: string | null
          unread_count?: number
          updated_at?: string
          workspace_id: string
        }
        Update: {
          ai_enabled?: boolean
          assignee_id?: string | null
          channel_id?: string
          contact_id?: string
          created_at?: string
          custom_attributes?: Json
          first_response_at?: string | null
          handoff_at?: string | null
          handoff_reason?: string | null
          handoff_state?: string
          id?: string
          last_inbound_at?: string | null
          last_message_at?: string | null
          priority?: string | null
          resolved_at?: string | null
          snoozed_until?: string | null
          status?: string
          subject?: string | null
          tags?: string[]
          team_id?: string | null
          unread_count?: number
          updated_at?: string
          workspace_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "conversations_assignee_fkey"
            columns: ["workspace_id", "assignee_id"]
            isOneToOne: false
            referencedRelation: "workspace_members"
            referencedColumns: ["workspace_id", "id"]
          },
          {
            foreignKeyName: "conversations_channel_fkey"
            columns: ["workspace_id", "channel_id"]
            isOneToOne: false
            referencedRelation: "channels"
            referencedColumns: ["workspace_id", "id"]
          },
          {
            foreignKeyName: "conversations_contact_fkey"
            columns: ["workspace_id", "contact_id"]
            isOneToOne: false
            referencedRelation: "contacts"
            referencedColumns: ["workspace_id", "id"]
          },
          {
            foreignKeyName: "conversations_team_fkey"
            columns: ["workspace_id", "team_id"]
            isOneToOne: false
            referencedRelation: "teams"
            referencedColumns: ["workspace_id", "id"]
          },
          {
            foreignKeyName: "conversations_workspace_id_fkey"
            columns: ["workspace_id"]
            isOneToOne: false
            referencedRelation: "workspaces"
            referencedColumns: ["id"]
          },
        ]
      }
      invitations: {
        Row: {
          accepted_at: string | null
          accepted_by: string | null
          created_at: string
          email: string
          expires_at: string
          id: string
          invited_by: string | null
          role: string
          token_hash: string
          updated_at: string
          workspace_id: string
        }
        Insert: {
          accepted_at?: string | null
          accepted_by?: string | null
          created_at?: string
          email: string
          expires_at?: string
          id?: string
          invited_by?: string | null
          role?: string
          token_hash: string
          updated_at?: string
          workspace_id: string
        }
        Update: {
          accepted_at?: string | null
          accepted_by?: string | null
          created_at?: string
          email?: string
          expires_at?: string
          id?: string
          invited_by?: string | null
          role?: string
          token_hash?: string
          updated_at?: string
          workspace_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "invitations_accepted_by_fkey"
            columns: ["accepted_by"]
            isOneToOne: false
            referencedRelation: "profiles"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "invitations_invited_by_fkey"
            columns: ["invited_by"]
            isOneToOne: false
            referencedRelation: "profiles"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "invitations_workspace_id_fkey"
            columns: ["workspace_id"]
            isOneToOne: false
            referencedRelation: "workspaces"
            referencedColumns: ["id"]
          },
        ]
      }
      knowledge_chunks: {
        Row: {
          agent_id: string
          content: string
          created_at: string
          document_id: string
          id: string
          ordinal: number
          search: unknown
          workspace_id: string
        }
        Insert: {
          agent_id: string
          content: string
          created_at?: string
          document_id: string
          id?: string
          ordinal: number
          search?: unknown
          workspace_id: string
        }
        Update: {
          agent_id?: string
          content?: string
          created_at?: string
          document_id?: string
          id?: string
          ordinal?: number
          search?: unknown
          workspace_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "knowledge_chunks_document_fkey"
            columns: ["workspace_id", "agent_id", "document_id"]
            isOneToOne: false
            referencedRelation: "knowledge_documents"
            referencedColumns: ["workspace_id", "agent_id", "id"]
          },
        ]
      }
      knowledge_documents: {
        Row: {
          agent_id: string
          content: string | null
          created_at: string
          doc_type: string
          error_message: string | null
          id: string
          source_url: string | null
          status: string
          title: string
          updated_at: string
          workspace_id: string
        }
        Insert: {
          agent_id: string
          content?: string | null
          created_at?: string
          doc_type?: string
          error_message?: string | null
          id?: string
          source_url?: string | null
          status?: string
          title: string
          updated_at?: string
          workspace_id: string
        }
        Update: {
          agent_id?: string
          content?: string | null
          created_at?: string
          doc_type?: string
          error_message?: string | null
          id?: string
          source_url?: string | null
          status?: string
          title?: string
          updated_at?: string
          workspace_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "knowledge_documents_agent_fkey"
            columns: ["workspace_id", "agent_id"]
            isOneToOne: false
            referencedRelation: "ai_agents"
            referencedColumns: ["workspace_id", "id"]
          },
        ]
      }
      messages: {
        Row: {
          channel_id: string
          content: Json
          conversation_id: string
          created_at: string
          direction: string
          error_code: string | null
          error_message: string | null
          external_id: string | null
          id: string
          reply_to_id: string | null
          search: unknown
          sender_member_id: string | null
          sender_type: string
          status: string | null
          text: string | null
          type: string
          updated_at: string
          workspace_id: string
        }
        Insert: {
          channel_id: string
          content?: Json
          conversation_id: string
          created_at?: string
          direction?: string
          error_code?: string | null
          error_message?: string | null
          external_id?: string | null
          id?: string
          reply_to_id?: string | null
          search?: unknown
          sender_member_id?: string | null
          sender_type?: string
          status?: string | null
          text?: string | null
          type?: string
          updated_at?: string
          workspace_id: string
        }
        Update: {
          channel_id?: string
          content?: Json
          conversation_id?: string
          created_at?: string
          direction?: string
          error_code?: string | null
          error_message?: string | null
          external_id?: string | null
          id?: string
          reply_to_id?: string | null
          search?: unknown
          sender_member_id?: string | null
          sender_type?: string
          status?: string | null
          text?: string | null
          type?: string
          updated_at?: string
          workspace_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "messages_channel_fkey"
            columns: ["workspace_id", "channel_id"]
            isOneToOne: false
            referencedRelation: "channels"
            referencedColumns: ["workspace_id", "id"]
          },
          {
            foreignKeyName: "messages_conversation_fkey"
            columns: ["workspace_id", "conversation_id"]
            isOneToOne: false
            referencedRelation: "conversations"
            referencedColumns: ["workspace_id", "id"]
          },
          {
            foreignKeyName: "messages_reply_to_fkey"
            columns: ["workspace_id", "reply_to_id"]
            isOneToOne: false
            referencedRelation: "messages"
            referencedColumns: ["workspace_id", "id"]
          },
          {
            foreignKeyName: "messages_sender_member_fkey"
            columns: ["workspace_id", "sender_member_id"]
            isOneToOne: false
            referencedRelation: "workspace_members"
            referencedColumns: ["workspace_id", "id"]
          },
          {
            foreignKeyName: "messages_workspace_id_fkey"
            columns: ["workspace_id"]
            isOneToOne: false
            referencedRelation: "workspaces"
            referencedColumns: ["id"]
          },
        ]
      }
      profiles: {
        Row: {
          avatar_url: string | null
          created_at: string
          email: string | null
          full_name: string | null
          id: string
          updated_at: string
        }
        Insert: {
          avatar_url?: string | null
          created_at?: string
          email?: string | null
          full_name?: string | null
          id: string
          updated_at?: string
        }
        Update: {
          avatar_url?: string | null
          created_at?: string
          email?: string | null
          full_name?: string | null
          id?: string
          updated_at?: string
        }
        Relationships: []
      }
      team_members: {
        Row: {
          created_at: string
          id: string
          member_id: string
          team_id: string
          workspace_id: string
        }
        Insert: {
          created_at?: string
          id?: string
          member_id: string
          team_id: string
          workspace_id: string
        }
        Update: {
          created_at?: string
          id?: string
          member_id?: string
          team_id?: string
          workspace_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "team_members_member_fkey"
            columns: ["workspace_id", "member_id"]
            isOneToOne: false
            referencedRelation: "workspace_members"
            referencedColumns: ["workspace_id", "id"]
          },
          {
            foreignKeyName: "team_members_team_fkey"
            columns: ["workspace_id", "team_id"]
            isOneToOne: false
            referencedRelation: "teams"
            referencedColumns: ["workspace_id", "id"]
          },
          {
            foreignKeyName: "team_members_workspace_id_fkey"
            columns: ["workspace_id"]
            isOneToOne: false
            referencedRelation: "workspaces"
            referencedColumns: ["id"]
          },
        ]
      }
      teams: {
        Row: {
          allow_auto_assign: boolean
          created_at: string
          description: string | null
          id: string
          name: string
          updated_at: string
          workspace_id: string
        }
        Insert: {
          allow_auto_assign?: boolean
          created_at?: string
          description?: string | null
          id?: string
          name: string
          updated_at?: string
          workspace_id: string
        }
        Update: {
          allow_auto_assign?: boolean
          created_at?: string
          description?: string | null
          id?: string
          name?: string
          updated_at?: string
          workspace_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "teams_workspace_id_fkey"
            columns: ["workspace_id"]
            isOneToOne: false
            referencedRelation: "workspaces"
            referencedColumns: ["id"]
          },
        ]
      }
      workspace_members: {
        Row: {
          availability: string
          created_at: string
          display_name: string | null
          id: string
          role: string
          updated_at: string
          user_id: string
          workspace_id: string
        }
        Insert: {
          availability?: string
          created_at?: string
          display_name?: string | null
          id?: string
          role?: string
          updated_at?: string
          user_id: string
          workspace_id: string
        }
        Update: {
          availability?: string
          created_at?: string
          display_name?: string | null
          id?: string
          role?: string
          updated_at?: string
          user_id?: string
          workspace_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "workspace_members_user_id_fkey"
            columns: ["user_id"]
            isOneToOne: false
            referencedRelation: "profiles"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "workspace_members_workspace_id_fkey"
            columns: ["workspace_id"]
            isOneToOne: false
            referencedRelation: "workspaces"
            referencedColumns: ["id"]
          },
        ]
      }
      workspaces: {
        Row: {
          business_hours: Json
          created_at: string
          created_by: string | null
          id: string
          name: string
          plan: string
          settings: Json
          slug: string
          timezone: string
          updated_at: string
        }
        Insert: {
          business_hours?: Json
          created_at?: string
          created_by?: string | null
          id?: string
          name: string
          plan?: string
          settings?: Json
          slug: string
          timezone?: string
          updated_at?: string
        }
        Update: {
          business_hours?: Json
          created_at?: string
          created_by?: string | null
          id?: string
          name?: string
          plan?: string
          settings?: Json
          slug?: string
          timezone?: string
          updated_at?: string
        }
        Relationships: [
          {
            foreignKeyName: "workspaces_created_by_fkey"
            columns: ["created_by"]
            isOneToOne: false
            referencedRelation: "profiles"
            referencedColumns: ["id"]
          },
        ]
      }
    }
    Views: {
      [_ in never]: never
    }
    Functions: {
      accept_invitation: {
        Args: { token: string }
        Returns: {
          availability: string
          created_at: string
          display_name: string | null
          id: string
          role: string
          updated_at: string
          user_id: string
          workspace_id: string
        }
        SetofOptions: {
          from: "*"
          to: "workspace_members"
          isOneToOne: true
          isSetofReturn: false
        }
      }
      add_conversation_tag: {
        Args: { conversation_id: string; tag: string }
        Returns: string[]
      }
      analytics: {
        Args: { days?: number; p_workspace_id: string }
        Returns: Json
      }
      assign_conversation: {
        Args: {
          assignee_id?: string
          conversation_id: string
          team_id?: string
        }
        Returns: {
          ai_enabled: boolean
          assignee_id: string | null
          channel_id: string
          contact_id: string
          created_at: string
          custom_attributes: Json
          first_response_at: string | null
          handoff_at: string | null
          handoff_reason: string | null
          handoff_state: string
          id: string
          last_inbound_at: string | null
          last_message_at: string | null
          priority: string | null
          resolved_at: string | null
          snoozed_until: string | null
          status: string
          subject: string | null
          tags: string[]
          team_id: string | null
          unread_count: number
          updated_at: string
          workspace_id: string
        }
        SetofOptions: {
          from: "*"
          to: "conversations"
          isOneToOne: true
          isSetofReturn: false
        }
      }
      create_invitation: {
        Args: {
          email: string
          role?: string
          valid_for?: unknown
          workspace_id: string
        }
        Returns: {
          expires_at: string
          invitation_id: string
          token: string
        }[]
      }
      create_workspace: {
        Args: { name: string; slug: string; timezone?: string }
        Returns: {
          business_hours: Json
          created_at: string
          created_by: string | null
          id: string
          name: string
          plan: string
          settings: Json
          slug: string
          timezone: string
          updated_at: string
        }
        SetofOptions: {
          from: "*"
          to: "workspaces"
          isOneToOne: true
          isSetofReturn: false
        }
      }
      mark_conversation_read: {
        Args: { conversation_id: string }
        Returns: {
          ai_enabled: boolean
          assignee_id: string | null
          channel_id: string
          contact_id: string
          created_at: string
          custom_attributes: Json
          first_response_at: string | null
          handoff_at: string | null
          handoff_reason: string | null
          handoff_state: string
          id: string
          last_inbound_at: string | null
          last_message_at: string | null
          priority: string | null
          resolved_at: string | null
          snoozed_until: string | null
          status: string
          subject: string | null
          tags: string[]
          team_id: string | null
          unread_count: number
          updated_at: string
          workspace_id: string
        }
        SetofOptions: {
          from: "*"
          to: "conversations"
          isOneToOne: true
          isSetofReturn: false
        }
      }
      merge_contacts: {
        Args: { source_id: string; target_id: string }
        Returns: {
          avatar_url: string | null
          blocked: boolean
          created_at: string
          custom_attributes: Json
          email: string | null
          id: string
          name: string | null
          phone: string | null
          search: unknown
          tags: string[]
          updated_at: string
          wa_id: string | null
          workspace_id: string
        }
        SetofOptions: {
          from: "*"
          to: "contacts"
          isOneToOne: true
          isSetofReturn: false
        }
      }
      remove_conversation_tag: {
        Args: { conversation_id: string; tag: string }
        Returns: string[]
      }
      search_conversations: {
        Args: { query: string; workspace_id: string }
        Returns: {
          ai_enabled: boolean
          assignee_id: string | null
          channel_id: string
          contact_id: string
          created_at: string
          custom_attributes: Json
          first_response_at: string | null
          handoff_at: string | null
          handoff_reason: string | null
          handoff_state: string
          id: string
          last_inbound_at: string | null
          last_message_at: string | null
          priority: string | null
          resolved_at: string | null
          snoozed_until: string | null
          status: string
          subject: string | null
          tags: string[]
          team_id: string | null
          unread_count: number
          updated_at: string
          workspace_id: string
        }[]
        SetofOptions: {
          from: "*"
          to: "conversations"
          isOneToOne: false
          isSetofReturn: true
        }
      }
      search_knowledge: {
        Args: { agent_id: string; k?: number; query: string }
        Returns: {
          chunk_id: string
          content: string
          document_id: string
          document_title: string
          ordinal: number
          score: number
          text_rank: number
          trigram_similarity: number
        }[]
      }
      send_message: {
        Args: {
          content?: Json
          conversation_id: string
          reply_to_id?: string
          text?: string
          type?: string
        }
        Returns: {
          channel_id: string
          content: Json
          conversation_id: string
          created_at: string
          direction: string
          error_code: string | null
          error_message: string | null
          external_id: string | null
          id: string
          reply_to_id: string | null
          search: unknown
          sender_member_id: string | null
          sender_type: string
          status: string | null
          text: string | null
          type: string
          updated_at: string
          workspace_id: string
        }
        SetofOptions: {
          from: "*"
          to: "messages"
          isOneToOne: true
          isSetofReturn: false
        }
      }
      set_channel_secrets: {
        Args: {
          access_token?: string
          app_secret?: string
          channel_id: string
          verify_token?: string
        }
        Returns: Json
      }
      set_conversation_status: {
        Args: {
          conversation_id: string
          snoozed_until?: string
          status: string
        }
        Returns: {
          ai_enabled: boolean
          assignee_id: string | null
          channel_id: string
          contact_id: string
          created_at: string
          custom_attributes: Json
          first_response_at: string | null
          handoff_at: string | null
          handoff_reason: string | null
          handoff_state: string
          id: string
          last_inbound_at: string | null
          last_message_at: string | null
          priority: string | null
          resolved_at: string | null
          snoozed_until: string | null
          status: string
          subject: string | null
          tags: string[]
          team_id: string | null
          unread_count: number
          updated_at: string
          workspace_id: string
        }
        SetofOptions: {
          from: "*"
          to: "conversations"
          isOneToOne: true
          isSetofReturn: false
        }
      }
      toggle_automation: {
        Args: { automation_id: string }
        Returns: {
          actions: Json
          active: boolean
          conditions: Json
          created_at: string
          created_by: string | null
          description: string | null
          event_name: string
          id: string
          name: string
          updated_at: string
          workspace_id: string
        }
        SetofOptions: {
          from: "*"
          to: "automations"
          isOneToOne: true
          isSetofReturn: false
        }
      }
    }
    Enums: {
      [_ in never]: never
    }
    CompositeTypes: {
      [_ in never]: never
    }
  }
}

type DatabaseWithoutInternals = Omit<Database, "__InternalSupabase">

type DefaultSchema = DatabaseWithoutInternals[Extract<keyof Database, "public">]

export type Tables<
  DefaultSchemaTableNameOrOptions extends
    | keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
        DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])
    : never = never,
> = DefaultSchemaTableNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
      DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])[TableName] extends {
      Row: infer R
    }
    ? R
    : never
  : DefaultSchemaTableNameOrOptions extends keyof (DefaultSchema["Tables"] &
        DefaultSchema["Views"])
    ? (DefaultSchema["Tables"] &
        DefaultSchema["Views"])[DefaultSchemaTableNameOrOptions] extends {
        Row: infer R
      }
      ? R
      : never
    : never

export type TablesInsert<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never = never,
> = DefaultSchemaTableNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Insert: infer I
    }
    ? I
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
    ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
        Insert: infer I
      }
      ? I
      : never
    : never

export type TablesUpdate<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never = never,
> = DefaultSchemaTableNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Update: infer U
    }
    ? U
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
    ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
        Update: infer U
      }
      ? U
      : never
    : never

export type Enums<
  DefaultSchemaEnumNameOrOptions extends
    | keyof DefaultSchema["Enums"]
    | { schema: keyof DatabaseWithoutInternals },
  EnumName extends DefaultSchemaEnumNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"]
    : never = never,
> = DefaultSchemaEnumNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"][EnumName]
  : DefaultSchemaEnumNameOrOptions extends keyof DefaultSchema["Enums"]
    ? DefaultSchema["Enums"][DefaultSchemaEnumNameOrOptions]
    : never

export type CompositeTypes<
  PublicCompositeTypeNameOrOptions extends
    | keyof DefaultSchema["CompositeTypes"]
    | { schema: keyof DatabaseWithoutInternals },
  CompositeTypeName extends PublicCompositeTypeNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"]
    : never = never,
> = PublicCompositeTypeNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"][CompositeTypeName]
  : PublicCompositeTypeNameOrOptions extends keyof DefaultSchema["CompositeTypes"]
    ? DefaultSchema["CompositeTypes"][PublicCompositeTypeNameOrOptions]
    : never

export const Constants = {
  public: {
    Enums: {},
  },
} as const
