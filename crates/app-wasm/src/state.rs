//! Everything an engine owns, and the frame: apply document changes, tick the camera, encode, submit,
//! present. Device-loss recovery, which the frame drives while the device is lost, is in
//! `state/recovery.rs`.

mod recovery;

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use app_render::{FrameKey, FrameStats, Gpu, OrbitCamera, OrbitControls, Renderer};
use app_scene::SceneDoc;
use futures_channel::oneshot;
use glam::Vec2;
use web_sys::HtmlCanvasElement;

use crate::asset_feed::AssetFeed;
use crate::change_summary::ChangeSummary;
use crate::context_watch::ContextWatch;
use crate::create::{backend_name, create_instance, request_gpu, surface_config};
use crate::device_watch::DeviceWatch;
use crate::guard_host::{Check, GuardClient};
use crate::image_decode::ImageDecodes;
use crate::options::{CreateOptions, Redraw};
use crate::presence::PresenceState;
use crate::recovery_backoff::RecoveryBackoff;
use crate::{EngineError, bridge, web};

/// What a recovery task hands back: the surface it borrowed and the new adapter and device.
type Recovered = (
    Option<wgpu::Surface<'static>>,
    Result<(wgpu::Adapter, Gpu), EngineError>,
);

/// Everything an engine owns. GPU members are a cache of `scene`.
pub struct State {
    /// Kept alive for the engine's lifetime: in Chromium, releasing the instance makes later GPU
    /// callbacks (buffer mapping) fail. Also what device-loss recovery requests a new adapter from.
    pub instance: wgpu::Instance,
    pub adapter: wgpu::Adapter,
    pub canvas: HtmlCanvasElement,
    /// `None` only while a recovery task holds it.
    pub surface: Option<wgpu::Surface<'static>>,
    pub config: wgpu::SurfaceConfiguration,
    /// False when created with `present: false`: frames go to `offscreen` instead of the canvas.
    pub present: bool,
    /// Render target of non-presenting engines, at drawing-buffer size, and its view (kept: a view
    /// made per frame would be one more WebGPU call in every frame).
    pub offscreen: Option<(wgpu::Texture, wgpu::TextureView)>,
    /// The sRGB format frames are rendered in (a view format of the surface texture).
    pub render_format: wgpu::TextureFormat,
    pub renderer: Renderer,
    /// Shared with `read_pixels` calls in flight, which ask it whether their device was lost.
    pub watch: Rc<DeviceWatch>,
    /// WebGL2 only: the canvas's context-loss listeners.
    pub context_watch: Option<ContextWatch>,
    /// Set while a new device is being requested after a loss.
    pub recovery: Option<Rc<RefCell<Option<Recovered>>>>,
    /// When the next request for a device may go: at once after one loss, ever later after repeated
    /// ones (`recovery_backoff.rs`).
    pub backoff: RecoveryBackoff,
    pub device_losses: u32,
    pub scene: SceneDoc,
    /// Our and the other users' presence (not in the document; `presence.rs`).
    pub presence: PresenceState,
    pub controls: OrbitControls,
    /// The canvas's CSS size, for picking and panning (input arrives in CSS pixels).
    pub css_size: Vec2,
    pub backend: &'static str,
    pub last_frame: FrameStats,
    pub frame_ms: f64,
    /// Offscreen frames submitted and not yet finished by the GPU. An `Arc<AtomicU32>` because wgpu's
    /// completion callback must be `Send`.
    pub frames_in_flight: Arc<AtomicU32>,
    /// Offscreen frames the GPU may still be working on before `render_frame` skips drawing
    /// (`options.max_frames_in_flight`, default 2). A canvas's swap chain throttles presenting
    /// engines the same way (`desired_maximum_frame_latency`); without a limit an offscreen engine on
    /// a slow GPU queues work faster than the GPU finishes it.
    pub max_frames_in_flight: u32,
    /// Frames skipped because the GPU was behind (offscreen engines only).
    pub frames_skipped: u32,
    /// `options.redraw`.
    pub redraw: Redraw,
    /// `options.msaa_samples`: a device made after a loss multisamples as the first one did.
    pub max_samples: u32,
    /// The key of the last frame drawn into the canvas (or the offscreen target); `None` when that
    /// image is gone (new device, reconfigured surface) or was never drawn.
    pub last_drawn: Option<FrameKey>,
    /// Frames not drawn because they would have shown the last frame drawn (`Redraw::OnChange`).
    pub frames_unchanged: u32,
    /// Node ids changed since the last frame, gathered by every drain (`sync_renderer`).
    pub changes: ChangeSummary,
    /// What the last frame applied, waiting for `on_change` (taken by `engine.rs` after the call).
    pub frame_changes: Option<ChangeSummary>,
    /// `set_read_only(true)`: local edits are refused; remote updates still apply.
    pub read_only: bool,
    /// This engine's mirror in the page's update guard instance (`guard_host.rs`).
    pub guard: GuardClient,
    /// `follow(client)`: the peer whose shared camera ours eases towards.
    pub following: Option<u64>,
    /// Hands the renderer the assets it asks for, from the document.
    pub feed: AssetFeed,
    /// Images being decoded by the browser for the renderer.
    pub decodes: ImageDecodes,
}

impl State {
    /// Opens the GPU for `canvas` as `options` ask (backend, presenting or not) and starts an empty
    /// scene. Rejects with [`EngineError::NoBackend`] naming what is missing when no backend works.
    pub async fn open(
        canvas: HtmlCanvasElement,
        options: &CreateOptions,
    ) -> Result<Self, EngineError> {
        if options.update_guard {
            // Loads the page's guard instance while the GPU opens (awaited below; never fails:
            // without it the engine runs with the native checks only).
            wasm_bindgen_futures::spawn_local(crate::guard_host::start());
        }
        let instance = create_instance(options.backend).await?;
        let surface = instance
            .create_surface(wgpu::SurfaceTarget::Canvas(canvas.clone()))
            .map_err(|e| EngineError::NoBackend(format!("cannot draw on this canvas: {e}")))?;
        let (adapter, gpu) = request_gpu(&instance, Some(&surface), options.msaa_samples).await?;
        let (config, render_format) =
            surface_config(&surface, &adapter, canvas.width(), canvas.height())?;
        if options.present {
            surface.configure(&gpu.device, &config);
        }
        let mut renderer = Renderer::new(&gpu);
        // Compiled in the browser while the page goes on, not at the first frame.
        renderer.prepare_output(render_format);
        let css_size = Vec2::new(
            canvas.client_width().max(1) as f32,
            canvas.client_height().max(1) as f32,
        );
        if options.update_guard {
            // Waits for the load started above (or finds the instance ready).
            crate::guard_host::start().await;
        }
        // Undo needs a clock to merge rapid edits (a slider drag) into one step; wasm has no OS clock.
        let scene = SceneDoc::with_clock(None, || js_sys::Date::now() as u64);
        let context_watch =
            (backend_name(&adapter) == "webgl2").then(|| ContextWatch::new(&canvas));
        Ok(Self {
            backend: backend_name(&adapter),
            watch: Rc::new(DeviceWatch::new(&gpu.device)),
            instance,
            adapter,
            canvas,
            surface: Some(surface),
            config,
            present: options.present,
            offscreen: None,
            render_format,
            controls: OrbitControls::new(renderer.camera),
            renderer,
            context_watch,
            recovery: None,
            backoff: RecoveryBackoff::default(),
            device_losses: 0,
            // Awareness client id = the document's, as in Yjs.
            presence: PresenceState::new(scene.client_id(), web::now_ms()),
            scene,
            css_size,
            last_frame: FrameStats::default(),
            frame_ms: 0.0,
            frames_in_flight: Arc::default(),
            max_frames_in_flight: options.max_frames_in_flight,
            frames_skipped: 0,
            redraw: options.redraw,
            max_samples: options.msaa_samples,
            last_drawn: None,
            frames_unchanged: 0,
            changes: ChangeSummary::default(),
            frame_changes: None,
            read_only: false,
            guard: GuardClient::new(!options.update_guard),
            following: None,
            feed: AssetFeed::default(),
            decodes: ImageDecodes::default(),
        })
    }

    /// Refuses a local edit while the engine is read-only.
    pub fn check_writable(&self) -> Result<(), EngineError> {
        if self.read_only {
            return Err(EngineError::ReadOnly);
        }
        Ok(())
    }

    /// Rehearses remote bytes in the update guard, then applies them with `apply` (the live
    /// document's own checks). Refused bytes leave the document untouched.
    pub fn apply_remote<T>(
        &mut self,
        check: Check,
        bytes: &[u8],
        apply: impl FnOnce(&mut Self) -> Result<T, EngineError>,
    ) -> Result<T, EngineError> {
        let scene = &self.scene;
        let vetted = self
            .guard
            .vet(check, bytes, || scene.encode_state_v1())
            .map_err(|refusal| EngineError::Guard(refusal.to_string()))?;
        let result = apply(self);
        if vetted && result.is_err() {
            // The mirror took what the live document refused: it is ahead now.
            self.guard.forget_mirror();
        }
        result
    }

    /// The presence clock: renews our state, drops silent peers, follows the selection, and stops
    /// announcing a drag of a node that is gone (removed here or by a peer).
    pub fn tick_presence(&mut self) {
        let now_ms = web::now_ms();
        let dragged_gone = self
            .presence
            .presence()
            .dragging()
            .is_some_and(|id| !self.scene.contains(id.as_str()));
        if dragged_gone {
            self.presence.set_dragging(None, now_ms);
        }
        self.presence.tick(now_ms, &mut self.renderer);
    }

    /// Width / height of the drawing buffer.
    pub fn aspect(&self) -> f32 {
        self.config.width as f32 / self.config.height.max(1) as f32
    }

    /// Brings the renderer up to date with the document, so events like `pick` and `frame_all` see
    /// edits made since the last frame: applies the changes, hands over the assets it asks for
    /// (uploads), starts decoding the images it asks for and hands over those decoded since. Returns
    /// a receiver per decode it started (`import_gltf` waits for them).
    pub fn sync_renderer(&mut self) -> Vec<oneshot::Receiver<()>> {
        let changes = self.scene.drain_changes();
        for change in &changes {
            self.changes.note(change);
        }
        bridge::apply_changes(&self.scene, &mut self.renderer, &changes);
        let jobs = self.feed.feed(&self.scene, &mut self.renderer, &changes);
        let started = jobs
            .into_iter()
            .map(|job| self.decodes.start(job.id, job.image))
            .collect();
        for (id, width, height, rgba) in self.decodes.take_done() {
            self.renderer.insert_image(id, width, height, &rgba);
        }
        started
    }

    /// While following a peer, its shared camera is the goal the orbit controls ease to; a peer that
    /// left ends the following.
    fn follow_peer(&mut self) {
        let Some(client) = self.following else { return };
        if !self.presence.has_peer(client) {
            self.following = None;
            return;
        }
        if let Some(camera) = self.presence.peer_camera(client)
            && let Some(goal) = OrbitCamera::looking_at(
                glam::Vec3::from_array(camera.position),
                glam::Vec3::from_array(camera.target),
                camera.fov_y_deg.to_radians(),
            )
        {
            self.controls.goal = goal;
        }
    }

    /// Ends a frame's document work: what it applied (with any drain since the last frame) waits
    /// for `on_change`, once per frame at most.
    fn hand_over_changes(&mut self) {
        if !self.changes.is_empty() {
            self.frame_changes = Some(self.changes.take());
        }
    }

    /// Sets the drawing-buffer size; nothing happens when it is unchanged.
    pub fn set_size(&mut self, width: u32, height: u32) {
        if (width, height) == (self.config.width, self.config.height) {
            return;
        }
        self.canvas.set_width(width);
        self.canvas.set_height(height);
        self.config.width = width;
        self.config.height = height;
        if self.present
            && let Some(surface) = &self.surface
        {
            surface.configure(&self.renderer.gpu().device, &self.config);
        }
    }

    /// Whether GPU work is possible now (false while the device is lost and being replaced).
    pub fn gpu_ready(&self) -> bool {
        self.recovery.is_none()
            && !self.watch.is_lost()
            && !self
                .context_watch
                .as_ref()
                .is_some_and(ContextWatch::is_down)
    }

    /// The one per-frame step. While the device is lost it only drives recovery.
    pub fn render_frame(&mut self, dt_secs: f32) -> Result<(), EngineError> {
        let started_ms = web::now_ms();
        if let Some(context) = &self.context_watch {
            if context.take_lost() {
                self.watch.mark_lost();
            }
            if context.is_down() {
                // Nothing can be drawn or recreated until the browser restores the context.
                return Ok(());
            }
        }
        if !self.gpu_ready() && !self.drive_recovery() {
            return Ok(());
        }
        self.sync_renderer();
        self.hand_over_changes();
        self.follow_peer();
        self.presence.show_peers(&mut self.renderer);
        self.controls.tick(&mut self.renderer.camera, dt_secs);
        let gpu = self.renderer.gpu().clone();
        if !self.present {
            // Lets the GL backend run completion callbacks; a no-op on WebGPU, where the browser does.
            let _ = gpu.device.poll(wgpu::PollType::Poll);
        }
        let key =
            self.renderer
                .frame_key(self.render_format, self.config.width, self.config.height);
        if self.redraw == Redraw::OnChange && self.last_drawn == Some(key) {
            // What is on screen is what this frame would draw: a canvas keeps showing its last frame
            // until a new one is presented.
            self.frames_unchanged += 1;
            self.frame_ms = web::now_ms() - started_ms;
            return Ok(());
        }
        if !self.present
            && self.frames_in_flight.load(Ordering::Relaxed) >= self.max_frames_in_flight
        {
            self.frames_skipped += 1;
            return Ok(());
        }
        let mut encoder = gpu
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("frame"),
            });
        // The frame goes to the canvas's next texture, or to the offscreen target.
        let (view, frame) = if self.present {
            let Some(frame) = self.next_surface_texture() else {
                return Ok(());
            };
            let view = frame.texture.create_view(&wgpu::TextureViewDescriptor {
                format: Some(self.render_format),
                ..Default::default()
            });
            (view, Some(frame))
        } else {
            (self.offscreen_view(), None)
        };
        self.last_frame = self.renderer.encode_frame(
            &mut encoder,
            &view,
            self.render_format,
            self.config.width,
            self.config.height,
        );
        gpu.queue.submit([encoder.finish()]);
        self.last_drawn = Some(key);
        if let Some(frame) = frame {
            gpu.queue.present(frame);
        } else if self.max_frames_in_flight != crate::options::NO_FRAME_LIMIT {
            // Counted only under a limit: the completion callback is a WebGPU call per frame.
            self.frames_in_flight.fetch_add(1, Ordering::Relaxed);
            let in_flight = self.frames_in_flight.clone();
            gpu.queue.on_submitted_work_done(move || {
                in_flight.fetch_sub(1, Ordering::Relaxed);
            });
        }
        self.frame_ms = web::now_ms() - started_ms;
        Ok(())
    }

    /// The canvas's texture for this frame, or `None` to skip the frame (reconfiguring when the canvas
    /// changed under us).
    fn next_surface_texture(&mut self) -> Option<wgpu::SurfaceTexture> {
        let surface = self.surface.as_ref()?;
        match surface.get_current_texture() {
            wgpu::CurrentSurfaceTexture::Success(frame)
            | wgpu::CurrentSurfaceTexture::Suboptimal(frame) => Some(frame),
            wgpu::CurrentSurfaceTexture::Outdated | wgpu::CurrentSurfaceTexture::Lost => {
                surface.configure(&self.renderer.gpu().device, &self.config);
                // Reconfiguring clears the canvas: the next frame must draw.
                self.last_drawn = None;
                None
            }
            wgpu::CurrentSurfaceTexture::Timeout
            | wgpu::CurrentSurfaceTexture::Occluded
            | wgpu::CurrentSurfaceTexture::Validation => None,
        }
    }

    /// Starts reading the current view back: a copy of the last frame when a non-presenting engine's
    /// target still holds exactly what a frame would draw now (no second render, no second output
    /// pipeline), else a render in the frame's format. Call after `sync_renderer`.
    pub fn read_back(&mut self) -> Result<app_render::Readback, EngineError> {
        let (width, height) = (self.config.width, self.config.height);
        let current = !self.present
            && self.last_drawn == Some(self.renderer.frame_key(self.render_format, width, height));
        if let (true, Some((texture, _))) = (current, &self.offscreen)
            && app_render::is_readable(texture.format())
        {
            let device = &self.renderer.gpu().device;
            let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("read pixels"),
            });
            let readback = app_render::Readback::copy_of(device, &mut encoder, texture);
            self.renderer.gpu().queue.submit([encoder.finish()]);
            return Ok(readback);
        }
        Ok(self
            .renderer
            .render_offscreen_as(self.render_format, width, height)?)
    }

    /// The offscreen target of a non-presenting engine, reallocated only when the size changed.
    fn offscreen_view(&mut self) -> wgpu::TextureView {
        let size = wgpu::Extent3d {
            width: self.config.width,
            height: self.config.height,
            depth_or_array_layers: 1,
        };
        if let Some((texture, view)) = &self.offscreen
            && texture.size() == size
        {
            return view.clone();
        }
        let texture = self
            .renderer
            .gpu()
            .device
            .create_texture(&wgpu::TextureDescriptor {
                label: Some("offscreen frame"),
                size,
                mip_level_count: 1,
                sample_count: 1,
                dimension: wgpu::TextureDimension::D2,
                format: self.render_format,
                // A copy source too: `read_pixels` copies it when it holds the current view.
                usage: wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_SRC,
                view_formats: &[],
            });
        let view = texture.create_view(&wgpu::TextureViewDescriptor::default());
        self.offscreen = Some((texture, view.clone()));
        view
    }
}
